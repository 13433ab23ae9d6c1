#pragma once
// statement: one prepared SQL statement, owned. Parameters are bound by 1-based index.

#include <concepts>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/failure.hpp"

struct sqlite3_stmt;

namespace rosterd::store {

/// Move-only owner of a sqlite3_stmt. Made by database::prepare(); used by one thread at a
/// time, like the connection it belongs to, which must outlive it.
class statement {
 public:
  explicit statement(sqlite3_stmt* handle) noexcept : handle_(handle) {}
  statement(statement&& other) noexcept;
  statement& operator=(statement&& other) noexcept;
  statement(const statement&) = delete;
  statement& operator=(const statement&) = delete;
  ~statement();

  // Binding. A wrong index or a value SQLite cannot hold is a bug, not an expected failure,
  // so these throw std::system_error(errc::misuse) instead of returning a result.

  void bind(int index, std::int64_t value);
  void bind(int index, double value);
  /// The text is copied (SQLITE_TRANSIENT), so the view may die right after the call.
  void bind(int index, std::string_view value);
  /// Binds a BLOB; the bytes are copied (SQLITE_TRANSIENT).
  void bind(int index, std::span<const std::uint8_t> value);
  void bind(int index, const std::vector<std::uint8_t>& value) {
    bind(index, std::span<const std::uint8_t>(value));
  }
  void bind(int index, std::nullptr_t);
  void bind(int index, std::nullopt_t) { bind(index, nullptr); }
  /// Any integer type (int, bool, std::size_t...) binds as a 64-bit integer.
  template <std::integral I>
  void bind(int index, I value) {
    bind(index, static_cast<std::int64_t>(value));
  }
  /// Binds NULL when empty, else the value.
  template <class T>
  void bind(int index, const std::optional<T>& value) {
    if (value) {
      bind(index, *value);
    } else {
      bind(index, nullptr);
    }
  }
  /// Binds each argument in order to parameters 1, 2, ...
  template <class... Args>
  void bind_all(const Args&... args) {
    int index = 0;
    (bind(++index, args), ...);
  }

  /// Advances to the next row: true when a row is available, false when the statement is done.
  /// Fails with the classified SQLite error (busy, constraint, full...).
  [[nodiscard]] base::result<bool> step();
  /// Steps until done, ignoring any rows: for INSERT, UPDATE, DELETE and DDL.
  [[nodiscard]] base::result<void> run();
  /// Makes the statement ready to step again from the start; bindings are kept.
  void reset() noexcept;
  /// Sets every parameter back to NULL.
  void clear_bindings() noexcept;

  // Columns of the current row, 0-based. NULL reads as 0 or "".

  [[nodiscard]] int column_count() const noexcept;
  [[nodiscard]] std::int64_t column_int64(int column) const noexcept;
  [[nodiscard]] double column_double(int column) const noexcept;
  [[nodiscard]] std::string column_text(int column) const;
  /// The bytes of a BLOB column (empty for NULL).
  [[nodiscard]] std::vector<std::uint8_t> column_blob(int column) const;
  [[nodiscard]] bool column_is_null(int column) const noexcept;
  /// A nullable TEXT column: nullopt for NULL (column_text reads NULL as "").
  [[nodiscard]] std::optional<std::string> column_optional_text(int column) const;
  /// A nullable BLOB column: nullopt for NULL.
  [[nodiscard]] std::optional<std::vector<std::uint8_t>> column_optional_blob(int column) const;

  /// The SQL text, for logs and failure details.
  [[nodiscard]] std::string_view sql() const noexcept;

 private:
  void check_bind(int rc, int index);
  sqlite3_stmt* handle_ = nullptr;
};

}  // namespace rosterd::store
