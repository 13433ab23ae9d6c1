#pragma once
// The Facebook Pages a connection's grant manages (Facebook Login with page_tokens on), each
// with its Page token sealed by the vault and bound to (connection_pages, row id,
// access_token). The set is replaced whenever the connection is saved and deleted with the
// connection's tokens. Page tokens leave this file only through read_page_token().

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/failure.hpp"
#include "base/secret.hpp"
#include "oauth/token_responses.hpp"
#include "roster/clock.hpp"
#include "store/database.hpp"
#include "vault/keyring.hpp"

namespace rosterd::lifecycle {

/// A Page as people may see it: never its token.
struct page_record {
  std::string page_id;
  std::string name;
  std::optional<std::string> instagram_account_id;
  std::string fetched_at;
};

/// Replaces the connection's Pages with `pages` (their tokens sealed), in the caller's
/// transaction. An empty list removes them all.
base::result<void> replace_pages(store::database& db, const vault::keyring& keys,
                                 std::string_view connection_id,
                                 const std::vector<oauth::managed_page>& pages,
                                 roster::time_point now);

/// Deletes the connection's Pages and their tokens.
base::result<void> delete_pages(store::database& db, std::string_view connection_id);

/// The connection's Pages, by name then id.
base::result<std::vector<page_record>> list_pages(store::database& db,
                                                  std::string_view connection_id);

/// The decrypted token of one Page: errc::not_connected when there is none; the vault's errors
/// when the ciphertext does not open.
base::result<base::secret> read_page_token(store::database& db, const vault::keyring& keys,
                                           std::string_view connection_id,
                                           std::string_view page_id);

}  // namespace rosterd::lifecycle
