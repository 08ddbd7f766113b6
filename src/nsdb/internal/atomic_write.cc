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
    for (int p = 0; p < static_cast<int>(parts_[c].size()); ++p) {
      NSRADAR_RETURN_IF_ERROR(FinishPart(static_cast<Cf>(c), p));
      if (!parts_[c][p].finished.empty()) a.external_files.push_back(parts_[c][p].finished);
    }
    if (a.external_files.empty()) continue;
    a.column_family = writer_.handle(static_cast<Cf>(c));
    a.options.move_files = true;
    a.options.allow_blocking_flush = true;
    args.push_back(std::move(a));
  }
  return writer_.IngestFiles(args);
}

Status AtomicWrite::FinishPart(Cf c, int part) {
  if (!bulk_ || static_cast<size_t>(part) >= parts_[c].size()) return Status::OK();
  Part& p = parts_[c][part];
  if (!p.writer) return Status::OK();
  if (p.entries > 0) {
    rocksdb::ExternalSstFileInfo info;
    NSRADAR_RETURN_IF_ERROR(FromRocks(p.writer->Finish(&info), "finishing SST " + p.path));
    p.finished = info.file_path;
  }
  p.writer.reset();
  return Status::OK();
}

Status AtomicWrite::File(Cf c, int part, Part** out) {
  auto& parts = parts_[c];
  if (parts.size() <= static_cast<size_t>(part)) parts.resize(static_cast<size_t>(part) + 1);
  *out = &parts[part];
  if (parts[part].writer) return Status::OK();
  if (!parts[part].path.empty()) return Status::InvalidArgument(std::string("a finished SST part of ") + kCfNames[c]);
  rocksdb::Options o = writer_.SstOptions(c);
  // The file lands in the bottom level when nothing overlaps, so it is
  // zstd as the bottom level is; but at level 3, not the bottom level's 6.
  // SstFileWriter takes the bottommost settings when they are set, so that
  // is where the level goes. On a 300K-domain zone (900K edges) level 6
  // cost 15.1G instructions for the whole ingest, a third of them in zstd,
  // and level 3 10.6G, for 7.7% more bytes on disk; compactions into the
  // bottom level, which the daily snapshots' overlapping files bring about,
  // recompress at 6.
  o.compression = rocksdb::kZSTD;
  o.compression_opts.level = 3;
  o.bottommost_compression_opts.level = 3;
  parts[part].writer = std::make_unique<rocksdb::SstFileWriter>(rocksdb::EnvOptions(), o, writer_.handle(c));
  parts[part].path = tmp_dir_ + "/" + kCfNames[c] + "-" + std::to_string(part) + ".sst";
  return FromRocks(parts[part].writer->Open(parts[part].path), "creating " + parts[part].path);
}

}  // namespace nsradar::nsdb
