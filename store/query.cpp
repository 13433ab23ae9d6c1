#include "store/query.hpp"

#include "store/statement.hpp"

namespace rosterd::store {
namespace {

template <class Read>
auto query_one(database& db, std::string_view sql, Read read)
    -> base::result<decltype(read(std::declval<statement&>()))> {
  auto st = db.prepare(sql);
  if (!st) {
    return st.error();
  }
  auto row = st->step();
  if (!row) {
    return row.error();
  }
  if (!*row) {
    return decltype(read(*st)){};
  }
  return read(*st);
}

}  // namespace

base::result<std::string> query_text(database& db, std::string_view sql) {
  return query_one(db, sql, [](statement& st) { return st.column_text(0); });
}

base::result<std::int64_t> query_int(database& db, std::string_view sql) {
  return query_one(db, sql, [](statement& st) { return st.column_int64(0); });
}

}  // namespace rosterd::store
