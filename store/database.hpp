#pragma once
// database: one SQLite connection, owned. Opening does no configuration; the store's
// connection setup (connection.hpp) applies pragmas in the order that keeps files safe.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string_view>

#include "base/failure.hpp"
#include "store/statement.hpp"
#include "store/statement_cache.hpp"

struct sqlite3;

namespace rosterd::store {

enum class open_mode {
  read_write_create,  // create the file if missing
  read_write,         // the file must exist
  read_only,          // the file must exist; every write fails with errc::readonly
};

/// Move-only owner of a sqlite3 connection. A connection must be used by one thread at a
/// time; the store hands each one to a single thread (see store.hpp).
class database {
 public:
  /// Opens `path` with extended result codes on. Fails with open_failed (missing file,
  /// missing directory, no permission) naming the path.
  [[nodiscard]] static base::result<database> open(const std::filesystem::path& path,
                                                   open_mode mode);

  database(database&& other) noexcept;
  database& operator=(database&& other) noexcept;
  database(const database&) = delete;
  database& operator=(const database&) = delete;
  /// Closes the connection; statements still alive keep it open until they are finalised.
  ~database();

  /// Runs one or more ';'-separated statements that return no rows we need (DDL, pragmas).
  [[nodiscard]] base::result<void> exec(std::string_view sql);
  /// Prepares exactly one statement. Trailing SQL after the first statement is refused with
  /// errc::misuse, because SQLite would silently ignore it.
  [[nodiscard]] base::result<statement> prepare(std::string_view sql);
  /// Like prepare(), but keeps the statement for the next call with the same SQL text. For
  /// SQL written in the source only (the cache is keyed by the text and never shrinks). If the
  /// cached statement is still borrowed (a nested use of the same query), a fresh one is
  /// prepared for this use.
  [[nodiscard]] base::result<cached_statement> cached(std::string_view sql);
  /// Statements currently kept by cached().
  [[nodiscard]] std::size_t cached_count() const noexcept { return cache_ ? cache_->size() : 0; }

  /// Rowid of the latest successful INSERT on this connection (prefer RETURNING in new SQL:
  /// it is portable to PostgreSQL).
  [[nodiscard]] std::int64_t last_insert_rowid() const noexcept;
  /// Rows changed by the latest INSERT, UPDATE or DELETE on this connection.
  [[nodiscard]] std::int64_t changes() const noexcept;
  /// True while a transaction is open on this connection.
  [[nodiscard]] bool in_transaction() const noexcept;

  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }
  [[nodiscard]] open_mode mode() const noexcept { return mode_; }
  /// The raw handle, for the few SQLite APIs this wrapper does not cover (backup).
  [[nodiscard]] sqlite3* native_handle() const noexcept { return handle_; }

 private:
  database(sqlite3* handle, std::filesystem::path path, open_mode mode) noexcept
      : handle_(handle), path_(std::move(path)), mode_(mode) {}

  // Destroyed after the destructor body has closed the handle; sqlite3_close_v2 keeps the
  // connection alive until these statements are finalised.
  std::unique_ptr<statement_cache> cache_;
  sqlite3* handle_ = nullptr;
  std::filesystem::path path_;
  open_mode mode_ = open_mode::read_only;
};

}  // namespace rosterd::store
