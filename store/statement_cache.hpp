#pragma once
// Prepared statements kept per connection, keyed by their SQL text: the domain's hot queries
// are parsed and planned once per connection instead of on every call.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "store/statement.hpp"

namespace rosterd::store {

/// A statement borrowed from a connection's cache (or, when the cached one is already borrowed,
/// a fresh one). Giving it back resets it and clears its bindings, so a half-stepped statement
/// never keeps a read snapshot open after its user is done.
class cached_statement {
 public:
  /// Borrowed from the cache: `in_use` is the cache's flag for `stmt`.
  cached_statement(statement& stmt, bool& in_use) noexcept : stmt_(&stmt), in_use_(&in_use) {}
  /// Not cached: owns `stmt`.
  explicit cached_statement(statement stmt) : owned_(std::move(stmt)), stmt_(&*owned_) {}
  cached_statement(cached_statement&& other) noexcept;
  cached_statement& operator=(cached_statement&&) = delete;
  cached_statement(const cached_statement&) = delete;
  cached_statement& operator=(const cached_statement&) = delete;
  ~cached_statement();

  statement& operator*() const noexcept { return *stmt_; }
  statement* operator->() const noexcept { return stmt_; }

 private:
  std::optional<statement> owned_;
  statement* stmt_ = nullptr;
  bool* in_use_ = nullptr;
};

/// The cache itself, owned by a database. Unbounded by design: it holds only SQL written in
/// the source, never SQL built from input.
class statement_cache {
 public:
  struct entry {
    statement stmt;
    bool in_use = false;
  };
  /// The entry for `sql`, or null.
  entry* find(std::string_view sql);
  entry& insert(std::string_view sql, statement stmt);
  [[nodiscard]] std::size_t size() const noexcept { return entries_.size(); }

 private:
  struct hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };
  std::unordered_map<std::string, std::unique_ptr<entry>, hash, std::equal_to<>> entries_;
};

}  // namespace rosterd::store
