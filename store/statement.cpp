#include "store/statement.hpp"

#include <system_error>
#include <utility>

#include <sqlite3.h>

#include "store/error.hpp"
#include "store/sqlite_failure.hpp"

namespace rosterd::store {

statement::statement(statement&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}

statement& statement::operator=(statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(handle_);
    handle_ = std::exchange(other.handle_, nullptr);
  }
  return *this;
}

statement::~statement() {
  sqlite3_finalize(handle_);
}

void statement::check_bind(int rc, int index) {
  if (rc != SQLITE_OK) {
    const auto f =
        sqlite_failure(rc, sqlite3_db_handle(handle_),
                       "bind parameter " + std::to_string(index) + " of " + std::string(sql()));
    throw std::system_error(make_error_code(errc::misuse), f.detail);
  }
}

void statement::bind(int index, std::int64_t value) {
  check_bind(sqlite3_bind_int64(handle_, index, value), index);
}

void statement::bind(int index, double value) {
  check_bind(sqlite3_bind_double(handle_, index, value), index);
}

void statement::bind(int index, std::string_view value) {
  // sqlite3_bind_text64 takes a byte count, so embedded NULs and non-terminated views are fine.
  check_bind(sqlite3_bind_text64(handle_, index, value.data(), value.size(), SQLITE_TRANSIENT,
                                 SQLITE_UTF8),
             index);
}

void statement::bind(int index, std::span<const std::uint8_t> value) {
  // A zero-length blob still needs a non-null pointer, or SQLite stores NULL.
  static const std::uint8_t empty = 0;
  check_bind(sqlite3_bind_blob64(handle_, index, value.empty() ? &empty : value.data(),
                                 value.size(), SQLITE_TRANSIENT),
             index);
}

void statement::bind(int index, std::nullptr_t) {
  check_bind(sqlite3_bind_null(handle_, index), index);
}

base::result<bool> statement::step() {
  const int rc = sqlite3_step(handle_);
  if (rc == SQLITE_ROW) {
    return true;
  }
  if (rc == SQLITE_DONE) {
    return false;
  }
  return sqlite_failure(rc, sqlite3_db_handle(handle_), std::string(sql()));
}

base::result<void> statement::run() {
  for (;;) {
    auto row = step();
    if (!row) {
      return row.error();
    }
    if (!*row) {
      return {};
    }
  }
}

void statement::reset() noexcept {
  // The return value repeats the last step's error, which step() already reported.
  sqlite3_reset(handle_);
}

void statement::clear_bindings() noexcept {
  sqlite3_clear_bindings(handle_);
}

int statement::column_count() const noexcept {
  return sqlite3_column_count(handle_);
}

std::int64_t statement::column_int64(int column) const noexcept {
  return sqlite3_column_int64(handle_, column);
}

double statement::column_double(int column) const noexcept {
  return sqlite3_column_double(handle_, column);
}

std::vector<std::uint8_t> statement::column_blob(int column) const {
  // Read the pointer before its size, as for text.
  const auto* data = static_cast<const std::uint8_t*>(sqlite3_column_blob(handle_, column));
  const auto size = sqlite3_column_bytes(handle_, column);
  if (data == nullptr) {
    return {};
  }
  return std::vector<std::uint8_t>(data, data + size);
}

std::string statement::column_text(int column) const {
  // Read the text before its size: sqlite3_column_bytes must follow the conversion.
  const auto* text = sqlite3_column_text(handle_, column);
  const auto size = sqlite3_column_bytes(handle_, column);
  if (text == nullptr) {
    return {};
  }
  return std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(size));
}

bool statement::column_is_null(int column) const noexcept {
  return sqlite3_column_type(handle_, column) == SQLITE_NULL;
}

std::optional<std::string> statement::column_optional_text(int column) const {
  if (column_is_null(column)) {
    return std::nullopt;
  }
  return column_text(column);
}

std::optional<std::vector<std::uint8_t>> statement::column_optional_blob(int column) const {
  if (column_is_null(column)) {
    return std::nullopt;
  }
  return column_blob(column);
}

std::string_view statement::sql() const noexcept {
  const char* text = sqlite3_sql(handle_);
  return text != nullptr ? std::string_view(text) : std::string_view();
}

}  // namespace rosterd::store
