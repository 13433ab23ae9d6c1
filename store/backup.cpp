#include "store/backup.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <string>
#include <unistd.h>

#include <sqlite3.h>

#include "base/random.hpp"
#include "store/connection.hpp"
#include "store/database.hpp"
#include "store/error.hpp"
#include "store/migrations.hpp"
#include "store/query.hpp"
#include "store/sqlite_failure.hpp"
#include "store/transaction.hpp"

namespace rosterd::store {
namespace {

/// Removes the temporary copy (and any SQLite side files) unless released.
class temporary_file {
 public:
  explicit temporary_file(std::filesystem::path path) : path_(std::move(path)) {}
  temporary_file(const temporary_file&) = delete;
  temporary_file& operator=(const temporary_file&) = delete;
  ~temporary_file() {
    if (path_.empty()) {
      return;
    }
    std::error_code ignored;
    for (const char* suffix : {"", "-journal", "-wal", "-shm"}) {
      std::filesystem::remove(path_.string() + suffix, ignored);
    }
  }
  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }
  void release() noexcept { path_.clear(); }

 private:
  std::filesystem::path path_;
};

base::failure os_failure(const std::string& what) {
  return base::fail(errc::backup_failed, what + ": " + std::strerror(errno));
}

/// Creates the file empty with mode 0600: SQLite would create it 0644 less the umask, and a
/// backup holds the same secrets as the database.
base::result<void> create_private_file(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return os_failure("cannot create " + path.string());
  }
  ::close(fd);
  return {};
}

base::result<void> fsync_path(const std::filesystem::path& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) {
    return os_failure("cannot open " + path.string() + " to fsync");
  }
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) {
    return os_failure("fsync " + path.string());
  }
  return {};
}

/// Copies every page of `source` into `target` in chunks. Returns the page count.
base::result<std::int64_t> copy_pages(database& source, database& target,
                                      const backup_options& opts) {
  auto mode = query_text(source, "PRAGMA journal_mode");
  if (!mode) {
    return mode.error();
  }
  // In WAL mode a read transaction held across all steps pins one snapshot, so the copy is
  // consistent and never restarts, while writers carry on (WAL readers do not block them).
  // Without WAL a held read lock would block writers, so each step takes its own lock and
  // SQLite restarts the copy if another connection changes the file in between.
  std::optional<transaction> snapshot;
  if (*mode == "wal") {
    auto begun = transaction::begin(source, transaction::kind::deferred);
    if (!begun) {
      return begun.error();
    }
    snapshot.emplace(std::move(*begun));
    if (auto pinned = query_text(source, "SELECT count(*) FROM sqlite_master"); !pinned) {
      return pinned.error();
    }
  }
  const auto finish = [](sqlite3_backup* b) { sqlite3_backup_finish(b); };
  std::unique_ptr<sqlite3_backup, decltype(finish)> b(
      sqlite3_backup_init(target.native_handle(), "main", source.native_handle(), "main"), finish);
  if (!b) {
    return sqlite_failure(sqlite3_errcode(target.native_handle()), target.native_handle(),
                          "backup init");
  }
  const auto deadline = std::chrono::steady_clock::now() + opts.busy_timeout;
  for (;;) {
    const int rc = sqlite3_backup_step(b.get(), opts.pages_per_step);
    if (rc == SQLITE_DONE) {
      break;
    }
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
      if (std::chrono::steady_clock::now() > deadline) {
        return sqlite_failure(rc, nullptr, "backup step");
      }
      sqlite3_sleep(10);
      continue;
    }
    if (rc != SQLITE_OK) {
      return sqlite_failure(rc, target.native_handle(), "backup step");
    }
    if (!snapshot) {
      sqlite3_sleep(1);  // let a waiting writer take the lock between steps
    }
  }
  const std::int64_t pages = sqlite3_backup_pagecount(b.get());
  const int rc = sqlite3_backup_finish(b.release());
  if (rc != SQLITE_OK) {
    return sqlite_failure(rc, target.native_handle(), "backup finish");
  }
  return pages;
}

/// Opens the copy afresh and checks it; returns its schema version.
base::result<int> verify(const std::filesystem::path& copy) {
  // read_write, not read_only: the copy's header says WAL, and a read-only connection
  // cannot create the -shm file it needs. integrity_check itself writes nothing.
  auto db = database::open(copy, open_mode::read_write);
  if (!db) {
    return db.error();
  }
  auto integrity = query_text(*db, "PRAGMA integrity_check");
  if (!integrity) {
    return integrity.error();
  }
  if (*integrity != "ok") {
    return base::fail(errc::backup_failed, "integrity_check of the copy says: " + *integrity);
  }
  return current_version(*db);
}

base::result<backup_report> backup_into(const std::filesystem::path& source_db,
                                        const std::filesystem::path& destination,
                                        const backup_options& opts) {
  const auto directory =
      destination.has_parent_path() ? destination.parent_path() : std::filesystem::path(".");
  std::error_code ec;
  if (!std::filesystem::exists(source_db, ec)) {
    return base::fail(errc::not_found, "database " + source_db.string() + " does not exist");
  }
  if (!std::filesystem::is_directory(directory, ec)) {
    return base::fail(errc::backup_failed,
                      "destination directory " + directory.string() + " does not exist");
  }
  if (std::filesystem::is_directory(destination, ec)) {
    return base::fail(errc::backup_failed,
                      "destination " + destination.string() + " is a directory; name a file");
  }
  if (std::filesystem::equivalent(source_db, destination, ec)) {
    return base::fail(errc::backup_failed, "destination is the database itself");
  }

  auto source = open_reader(source_db, opts.busy_timeout);
  if (!source) {
    return source.error();
  }
  temporary_file temp(destination.string() + ".tmp-" + base::random_hex(4));
  if (auto created = create_private_file(temp.path()); !created) {
    return created.error();
  }
  backup_report report{destination, 0, 0, 0};
  {
    auto target = database::open(temp.path(), open_mode::read_write);
    if (!target) {
      return target.error();
    }
    auto pages = copy_pages(*source, *target, opts);
    if (!pages) {
      return pages.error();
    }
    report.pages = *pages;
  }  // target closed here, so verification below sees only what reached the file
  auto version = verify(temp.path());
  if (!version) {
    return version.error();
  }
  report.schema_version = *version;
  if (auto synced = fsync_path(temp.path(), O_RDONLY); !synced) {
    return synced.error();
  }
  report.bytes = std::filesystem::file_size(temp.path(), ec);
  if (std::rename(temp.path().c_str(), destination.c_str()) != 0) {
    return os_failure("cannot rename " + temp.path().string() + " to " + destination.string());
  }
  temp.release();
  // The rename is durable only once the directory entry is on disk.
  if (auto synced = fsync_path(directory, O_RDONLY | O_DIRECTORY); !synced) {
    return synced.error();
  }
  return report;
}

}  // namespace

base::result<backup_report> backup(const std::filesystem::path& source_db,
                                   const std::filesystem::path& destination,
                                   const backup_options& opts) {
  auto report = backup_into(source_db, destination, opts);
  if (!report) {
    // Say which backup failed, whatever step it was.
    auto failure = report.error();
    failure.detail = "backup of " + source_db.string() + " to " + destination.string() +
                     " failed: " + base::describe(failure);
    return failure;
  }
  return report;
}

}  // namespace rosterd::store
