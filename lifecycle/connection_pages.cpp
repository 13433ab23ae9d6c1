#include "lifecycle/connection_pages.hpp"

#include "lifecycle/error.hpp"
#include "store/sql.hpp"

namespace rosterd::lifecycle {
namespace sql = store::sql;

namespace {

// Must match the entry in key_rotation.cpp's sealed columns: the binding authenticates it.
constexpr std::string_view table = "connection_pages";
constexpr std::string_view column = "access_token";

}  // namespace

base::result<void> replace_pages(store::database& db, const vault::keyring& keys,
                                 std::string_view connection_id,
                                 const std::vector<oauth::managed_page>& pages,
                                 roster::time_point now) {
  if (auto cleared = delete_pages(db, connection_id); !cleared) {
    return cleared;
  }
  const auto now_text = roster::stamp(now);
  for (const auto& page : pages) {
    // A fresh row id per save: a token sealed for an earlier row never opens under a new one.
    const auto id = roster::new_id("cpg");
    auto sealed = keys.seal(page.access_token.reveal(), {table, id, column});
    if (!sealed) {
      return sealed.error();
    }
    auto added = sql::run(db,
                          "INSERT INTO connection_pages (id, connection_id, page_id, name, "
                          "access_token, instagram_account_id, fetched_at) "
                          "VALUES (?, ?, ?, ?, ?, ?, ?)",
                          id, connection_id, page.id, page.name, *sealed, page.instagram_account_id,
                          now_text);
    if (!added) {
      return added;
    }
  }
  return {};
}

base::result<void> delete_pages(store::database& db, std::string_view connection_id) {
  return sql::run(db, "DELETE FROM connection_pages WHERE connection_id = ?", connection_id);
}

base::result<std::vector<page_record>> list_pages(store::database& db,
                                                  std::string_view connection_id) {
  std::vector<page_record> out;
  auto done = sql::each(
      db,
      "SELECT page_id, name, instagram_account_id, fetched_at FROM connection_pages "
      "WHERE connection_id = ? ORDER BY name, page_id",
      [&](store::statement& s) {
        page_record p;
        p.page_id = s.column_text(0);
        p.name = s.column_text(1);
        if (!s.column_is_null(2)) {
          p.instagram_account_id = s.column_text(2);
        }
        p.fetched_at = s.column_text(3);
        out.push_back(std::move(p));
      },
      connection_id);
  if (!done) {
    return done.error();
  }
  return out;
}

base::result<base::secret> read_page_token(store::database& db, const vault::keyring& keys,
                                           std::string_view connection_id,
                                           std::string_view page_id) {
  struct sealed_row {
    std::string id;
    std::vector<std::uint8_t> token;
  };
  auto row = sql::first(
      db, "SELECT id, access_token FROM connection_pages WHERE connection_id = ? AND page_id = ?",
      [](store::statement& s) {
        return sealed_row{s.column_text(0), s.column_blob(1)};
      },
      connection_id, page_id);
  if (!row) {
    return row.error();
  }
  if (!*row) {
    return base::fail(errc::not_connected, "the connection holds no token for that Page");
  }
  return keys.open((*row)->token, {table, (*row)->id, column});
}

}  // namespace rosterd::lifecycle
