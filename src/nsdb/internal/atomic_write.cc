#include "nsdb/internal/atomic_write.h"

namespace nsradar::nsdb {

AtomicWrite::AtomicWrite(Writer& writer, bool bulk, std::string tmp_dir)
    : writer_(writer), bulk_(bulk), tmp_dir_(std::move(tmp_dir)) {}

Status AtomicWrite::Reserve(Cf c, int parts) {
  Part* unused;
  for (int p = 0; p < parts && bulk_; ++p) NSRADAR_RETURN_IF_ERROR(File(c, p, &unused));
  return Status::OK();
}

Status AtomicWrite::Put(Cf c, std::string_view key, std::string_view value, int part) {
  return Write(c, key, &value, part);
}

Status AtomicWrite::Delete(Cf c, std::string_view key, int part) { return Write(c, key, nullptr, part); }

Status AtomicWrite::Set(Cf c, std::string_view key, const std::optional<std::string>& value, int part) {
  if (!value) return Delete(c, key, part);
  return Put(c, key, *value, part);
}

Status AtomicWrite::Write(Cf c, std::string_view key, const std::string_view* value, int part) {
  if (!bulk_) {
    rocksdb::ColumnFamilyHandle* h = writer_.handle(c);
    return FromRocks(value ? batch_.Put(h, ToSlice(key), ToSlice(*value)) : batch_.Delete(h, ToSlice(key)), "batch");
  }
  Part* file;
  NSRADAR_RETURN_IF_ERROR(File(c, part, &file));
  ++file->entries;
  rocksdb::SstFileWriter& w = *file->writer;
  return FromRocks(value ? w.Put(ToSlice(key), ToSlice(*value)) : w.Delete(ToSlice(key)),
                   std::string("writing SST for ") + kCfNames[c]);
}

Status AtomicWrite::Commit() {
  if (!bulk_) return writer_.Commit(&batch_, true, "writing snapshot");
  std::vector<rocksdb::IngestExternalFileArg> args;
  for (int c = 0; c < kCfCount; ++c) {
    rocksdb::IngestExternalFileArg a;
    for (auto& part : parts_[c]) {
      if (!part.writer || part.entries == 0) continue;
      rocksdb::ExternalSstFileInfo info;
      NSRADAR_RETURN_IF_ERROR(FromRocks(part.writer->Finish(&info), "finishing SST"));
      a.external_files.push_back(info.file_path);
    }
    if (a.external_files.empty()) continue;
    a.column_family = writer_.handle(static_cast<Cf>(c));
    a.options.move_files = true;
    a.options.allow_blocking_flush = true;
    args.push_back(std::move(a));
  }
  return writer_.IngestFiles(args);
}

Status AtomicWrite::File(Cf c, int part, Part** out) {
  auto& parts = parts_[c];
  if (parts.size() <= static_cast<size_t>(part)) parts.resize(static_cast<size_t>(part) + 1);
  *out = &parts[part];
  if (parts[part].writer) return Status::OK();
  rocksdb::Options o = writer_.SstOptions(c);
  // The file lands in the bottom level when nothing overlaps: compress it
  // as the bottom level would.
  o.compression = rocksdb::kZSTD;
  o.compression_opts.level = 3;
  parts[part].writer = std::make_unique<rocksdb::SstFileWriter>(rocksdb::EnvOptions(), o, writer_.handle(c));
  std::string path = tmp_dir_ + "/" + kCfNames[c] + "-" + std::to_string(part) + ".sst";
  return FromRocks(parts[part].writer->Open(path), "creating " + path);
}

}  // namespace nsradar::nsdb
