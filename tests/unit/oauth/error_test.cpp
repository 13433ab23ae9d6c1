#include "oauth/error.hpp"

#include <set>

#include <catch2/catch.hpp>

#include "oauth/backoff.hpp"
#include "oauth/profile.hpp"
#include "oauth/provider_error.hpp"
#include "tests/support/errc_walk.hpp"

using namespace rosterd::oauth;

TEST_CASE("every oauth errc has a distinct name and a message in the oauth category",
          "[oauth][error]") {
  std::set<std::string> names;
  std::set<std::string> messages;
  for (const auto e : rosterd::testing::every_errc(errc_name)) {
    const std::string name(errc_name(e));
    CHECK(name != "unknown");
    CHECK(names.insert(name).second);
    const std::error_code code = e;
    CHECK(code.category() == oauth_category());
    CHECK(std::string(code.category().name()) == "oauth");
    CHECK(messages.insert(code.message()).second);
  }
  CHECK(names.size() == 15);
  CHECK(errc_name(errc::invalid_profile) == "invalid_profile");
  CHECK(errc_name(errc::invalid_response) == "invalid_response");
  CHECK(errc_name(errc::provider_error) == "provider_error");
  CHECK(errc_name(errc::invalid_signature) == "invalid_signature");
  CHECK(errc_name(errc::stale_signature) == "stale_signature");
  CHECK(errc_name(errc::request_too_large) == "request_too_large");
  CHECK(errc_name(errc::malformed_request) == "malformed_request");
  CHECK(errc_name(static_cast<errc>(999)) == "unknown");
}

TEST_CASE("the protocol's own enums have stable names", "[oauth][error]") {
  CHECK(error_kind_name(error_kind::reconnect) == "reconnect");
  CHECK(error_kind_name(error_kind::reconsent) == "reconsent");
  CHECK(error_kind_name(error_kind::user_action) == "user_action");
  CHECK(error_kind_name(error_kind::refresh) == "refresh");
  CHECK(error_kind_name(error_kind::transient) == "transient");
  CHECK(error_kind_name(error_kind::rejected) == "rejected");
  CHECK(error_kind_name(static_cast<error_kind>(99)) == "unknown");

  CHECK(phase_name(phase::code_exchange) == "code_exchange");
  CHECK(phase_name(phase::long_lived_exchange) == "long_lived_exchange");
  CHECK(phase_name(phase::refresh) == "refresh");
  CHECK(phase_name(phase::identity) == "identity");
  CHECK(phase_name(phase::api_call) == "api_call");
  CHECK(phase_name(phase::revoke) == "revoke");
  CHECK(phase_name(phase::after_failed_refresh) == "after_failed_refresh");
  CHECK(phase_name(static_cast<phase>(99)) == "unknown");

  CHECK(dialect_name(dialect::instagram_login) == "instagram_login");
  CHECK(dialect_name(dialect::meta_graph) == "meta_graph");
  CHECK(dialect_name(dialect::tiktok) == "tiktok");
  CHECK(dialect_name(dialect::pinterest) == "pinterest");
  CHECK(dialect_name(dialect::generic) == "generic");
  CHECK(client_auth_name(client_auth::http_basic) == "http_basic");
  CHECK(client_auth_name(client_auth::form_body) == "form_body");
  CHECK(client_auth_name(client_auth::query) == "query");
  CHECK(refresh_style_name(refresh_style::ig_refresh_token) == "ig_refresh_token");
  CHECK(refresh_style_name(refresh_style::refresh_token_grant) == "refresh_token_grant");
  CHECK(refresh_style_name(refresh_style::none) == "none");
}
