#include "store/statement_cache.hpp"

#include <utility>

namespace rosterd::store {

cached_statement::cached_statement(cached_statement&& other) noexcept
    : owned_(std::move(other.owned_)),
      stmt_(owned_ ? &*owned_ : std::exchange(other.stmt_, nullptr)),
      in_use_(std::exchange(other.in_use_, nullptr)) {
  other.stmt_ = nullptr;
}

cached_statement::~cached_statement() {
  if (stmt_ == nullptr) {
    return;
  }
  stmt_->reset();
  stmt_->clear_bindings();
  if (in_use_ != nullptr) {
    *in_use_ = false;
  }
}

statement_cache::entry* statement_cache::find(std::string_view sql) {
  auto it = entries_.find(sql);
  return it == entries_.end() ? nullptr : it->second.get();
}

statement_cache::entry& statement_cache::insert(std::string_view sql, statement stmt) {
  auto e = std::make_unique<entry>(entry{std::move(stmt), false});
  auto& ref = *e;
  entries_.insert_or_assign(std::string(sql), std::move(e));
  return ref;
}

}  // namespace rosterd::store
