# Every dependency comes from Debian 12 packages (scripts/install-deps.sh).
find_package(Threads REQUIRED)
find_package(ZLIB REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(ZSTD REQUIRED IMPORTED_TARGET libzstd)
pkg_check_modules(LZMA REQUIRED IMPORTED_TARGET liblzma)
pkg_check_modules(PSL REQUIRED IMPORTED_TARGET libpsl)
pkg_check_modules(PCAP REQUIRED IMPORTED_TARGET libpcap)
pkg_check_modules(IDN2 REQUIRED IMPORTED_TARGET libidn2)
find_package(fmt REQUIRED)
find_package(CLI11 REQUIRED)
find_package(GTest REQUIRED)
# Boost 1.81 (libboost1.81-dev): Beast/Asio for the HTTP API with C++20
# coroutines, Boost.URL for request targets.
find_package(Boost 1.81 REQUIRED COMPONENTS url)
find_package(OpenSSL REQUIRED)  # SHA-256 of API keys
find_package(simdjson REQUIRED)

# Debian's librocksdb-dev ships no CMake package config.
find_path(ROCKSDB_INCLUDE_DIR rocksdb/db.h REQUIRED)
find_library(ROCKSDB_LIBRARY rocksdb REQUIRED)
add_library(RocksDB::rocksdb UNKNOWN IMPORTED)
set_target_properties(RocksDB::rocksdb PROPERTIES
  IMPORTED_LOCATION ${ROCKSDB_LIBRARY}
  INTERFACE_INCLUDE_DIRECTORIES ${ROCKSDB_INCLUDE_DIR})

if(NSRADAR_BENCH)
  find_package(benchmark REQUIRED)
endif()
