#include "store/database.hpp"

#include <string>
#include <utility>

#include <sqlite3.h>

#include "store/error.hpp"
#include "store/sqlite_failure.hpp"

namespace rosterd::store {
namespace {

int flags_for(open_mode mode) {
  // NOMUTEX: each connection is confined to one thread at a time by the store, so SQLite's
  // per-connection mutex would only add cost. EXRESCODE: extended codes from sqlite3_open_v2.
  int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
  switch (mode) {
    case open_mode::read_write_create:
      return flags | SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    case open_mode::read_write:
      return flags | SQLITE_OPEN_READWRITE;
    case open_mode::read_only:
      return flags | SQLITE_OPEN_READONLY;
  }
  return flags | SQLITE_OPEN_READONLY;
}

bool only_whitespace_or_semicolons(std::string_view text) {
  return text.find_first_not_of(" \t\r\n;") == std::string_view::npos;
}

}  // namespace

base::result<database> database::open(const std::filesystem::path& path, open_mode mode) {
  sqlite3* handle = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &handle, flags_for(mode), nullptr);
  if (rc != SQLITE_OK) {
    // On most failures SQLite still allocates a handle that carries the message.
    auto failure = sqlite_failure(rc, handle, "cannot open database " + path.string());
    failure.code = make_error_code(errc::open_failed);
    sqlite3_close_v2(handle);
    return failure;
  }
  sqlite3_extended_result_codes(handle, 1);
  return database(handle, path, mode);
}

database::database(database&& other) noexcept
    : cache_(std::move(other.cache_)),
      handle_(std::exchange(other.handle_, nullptr)),
      path_(std::move(other.path_)),
      mode_(other.mode_) {}

database& database::operator=(database&& other) noexcept {
  if (this != &other) {
    sqlite3_close_v2(handle_);
    cache_ = std::move(other.cache_);
    handle_ = std::exchange(other.handle_, nullptr);
    path_ = std::move(other.path_);
    mode_ = other.mode_;
  }
  return *this;
}

database::~database() {
  sqlite3_close_v2(handle_);
}

base::result<void> database::exec(std::string_view sql) {
  const std::string text(sql);  // sqlite3_exec needs a terminated string
  const int rc = sqlite3_exec(handle_, text.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) {
    return sqlite_failure(rc, handle_, text);
  }
  return {};
}

base::result<cached_statement> database::cached(std::string_view sql) {
  if (!cache_) {
    cache_ = std::make_unique<statement_cache>();
  }
  if (auto* e = cache_->find(sql)) {
    if (e->in_use) {
      auto fresh = prepare(sql);
      if (!fresh) {
        return fresh.error();
      }
      return cached_statement(std::move(*fresh));
    }
    e->in_use = true;
    return cached_statement(e->stmt, e->in_use);
  }
  auto fresh = prepare(sql);
  if (!fresh) {
    return fresh.error();
  }
  auto& e = cache_->insert(sql, std::move(*fresh));
  e.in_use = true;
  return cached_statement(e.stmt, e.in_use);
}

base::result<statement> database::prepare(std::string_view sql) {
  sqlite3_stmt* handle = nullptr;
  const char* tail = nullptr;
  const int rc =
      sqlite3_prepare_v2(handle_, sql.data(), static_cast<int>(sql.size()), &handle, &tail);
  if (rc != SQLITE_OK) {
    return sqlite_failure(rc, handle_, std::string(sql));
  }
  statement prepared(handle);
  const auto consumed = static_cast<std::size_t>(tail - sql.data());
  if (!only_whitespace_or_semicolons(sql.substr(consumed))) {
    return base::fail(errc::misuse,
                      "prepare takes one statement; trailing SQL in: " + std::string(sql));
  }
  if (handle == nullptr) {
    return base::fail(errc::misuse, "no SQL statement in: " + std::string(sql));
  }
  return prepared;
}

std::int64_t database::last_insert_rowid() const noexcept {
  return sqlite3_last_insert_rowid(handle_);
}

std::int64_t database::changes() const noexcept {
  return sqlite3_changes64(handle_);
}

bool database::in_transaction() const noexcept {
  return sqlite3_get_autocommit(handle_) == 0;
}

}  // namespace rosterd::store
