#include "edge/api/failure_problem.hpp"

#include <optional>
#include <string>
#include <string_view>

#include "lifecycle/error.hpp"
#include "notify/error.hpp"
#include "oauth/error.hpp"
#include "roster/error.hpp"
#include "store/error.hpp"
#include "vault/error.hpp"

namespace rosterd::edge::api {
namespace {

using http::status;

/// Where a problem's `errors` entry comes from.
enum class errors_from {
  nothing,
  field_prefix,  ///< "email: not an address" names the field "email"
  password,      ///< the whole message, for the field "password"
  file,          ///< "<code>: <message>", for the field "file"
};

/// A problem type as the edge answers it.
struct problem_type {
  status code;
  std::string_view slug;  ///< empty: about:blank
  std::string_view text;  ///< what the caller reads when the failure says nothing for clients
  /// Answers that must read the same whatever the cause (an object that does not exist and one
  /// the caller may not see; an unknown address and a wrong password): the text, always.
  bool fixed = false;
  errors_from errors = errors_from::nothing;
  std::string_view code_name = {};  ///< for errors_from::file
};

constexpr problem_type server_failure{
    status::internal_server_error, "",
    "Something went wrong on our side; the request id helps us find it.", true};

problem_type type_of(roster::errc e) {
  using roster::errc;
  switch (e) {
    case errc::file_too_large:
    case errc::too_many_rows:
    case errc::too_many_columns:
    case errc::field_too_large:
    case errc::unterminated_quote:
    case errc::quote_in_unquoted_field:
    case errc::text_after_closing_quote:
    case errc::invalid_utf8:
    case errc::nul_byte:
    case errc::empty_file:
    case errc::missing_column:
    case errc::duplicate_column:
    case errc::ambiguous_column:
      return {status::unprocessable_entity,
              "invalid-csv",
              "The file cannot be read as a roster; see errors.",
              false,
              errors_from::file,
              roster::errc_name(e)};
    case errc::invalid_email:
    case errc::invalid_argument:
      return {status::unprocessable_entity, "invalid-input", "A value in the request is not valid.",
              false, errors_from::field_prefix};
    case errc::not_found:
      return {status::not_found, "not-found", "Nothing here, or nothing you may see.", true};
    case errc::forbidden:
      return {status::forbidden, "forbidden", "Your role may not do this."};
    case errc::conflict:
      return {status::conflict, "conflict", "That conflicts with what is stored.", false,
              errors_from::field_prefix};
    case errc::weak_password:
      return {status::unprocessable_entity, "weak-password",
              "The password does not meet the password policy.", false, errors_from::password};
    case errc::invalid_credentials:
      return {status::unauthorized, "invalid-credentials", "Wrong email or password.", true};
    case errc::token_invalid:
      return {status::not_found, "token-invalid", "The link or token is not valid."};
    case errc::token_expired:
      return {status::gone, "token-expired", "The link or token has expired."};
    case errc::token_used:
      return {status::gone, "token-used", "The link or token was already used."};
    case errc::token_revoked:
      return {status::gone, "token-revoked", "The link or token was withdrawn."};
    case errc::token_superseded:
      return {status::gone, "token-superseded", "The link was replaced by a newer one."};
  }
  return server_failure;
}

problem_type type_of(lifecycle::errc e) {
  using lifecycle::errc;
  // The state problems keep the code's own name as their slug.
  const auto slug = lifecycle::errc_name(e);
  switch (e) {
    case errc::state_missing:
      return {status::bad_request, slug, "The platform's answer carried no connection attempt."};
    case errc::state_unknown:
      return {status::bad_request, slug, "This connection attempt is not one this server began."};
    case errc::state_expired:
      return {status::bad_request, slug, "This connection attempt has expired."};
    case errc::state_used:
      return {status::bad_request, slug, "This connection attempt was already used."};
    case errc::state_wrong_browser:
      return {status::bad_request, slug, "This connection attempt was started in another browser."};
    case errc::state_wrong_provider:
      return {status::bad_request, slug,
              "The platform's answer does not belong to this connection attempt."};
    case errc::provider_not_enabled:
      return {status::not_found, "provider-not-enabled", "That platform is not enabled here."};
    case errc::not_connected:
      return {status::conflict, "not-connected",
              "The connection holds no usable token; the creator has to connect again."};
    case errc::vault_unavailable:
      return {status::service_unavailable, "vault-unavailable",
              "Stored tokens cannot be read right now.", true};
    case errc::needs_reconnect:
      return {status::conflict, "needs-reconnect",
              "Only the creator can renew this connection, by connecting again."};
    case errc::refresh_unavailable:
      return {status::service_unavailable, "refresh-unavailable",
              "The platform cannot renew the token right now; try again later."};
  }
  return server_failure;
}

problem_type type_of(oauth::errc e) {
  using oauth::errc;
  constexpr problem_type platform_failed{
      status::bad_gateway, "provider-failed",
      "The platform could not be reached or answered unexpectedly."};
  switch (e) {
    case errc::invalid_url:
    case errc::dns_failed:
    case errc::connect_failed:
    case errc::tls_failed:
    case errc::timeout:
    case errc::response_too_large:
    case errc::malformed_response:
    case errc::connection_closed:
    case errc::invalid_response:
    case errc::provider_error:
      return platform_failed;
    case errc::invalid_profile:  // our provider configuration, not the platform
      return server_failure;
    case errc::invalid_signature:
    case errc::stale_signature:
      return {status::unauthorized, "invalid-signature", "The signature does not verify."};
    case errc::request_too_large:
      return {status::payload_too_large, "too-large", "The request is too large."};
    case errc::malformed_request:
      return {status::bad_request, "malformed", "The request cannot be parsed."};
  }
  return server_failure;
}

problem_type type_of(vault::errc e) {
  using vault::errc;
  // Fail closed and say little: which key, file or row is for the operator.
  constexpr problem_type unreadable{
      status::internal_server_error, "token-unreadable",
      "A stored token could not be decrypted; an operator has to look.", true};
  constexpr problem_type keys_unusable{status::service_unavailable, "vault-unavailable",
                                       "Stored tokens cannot be read right now.", true};
  switch (e) {
    case errc::key_file_missing:
    case errc::key_file_unreadable:
    case errc::key_file_unsafe:
    case errc::key_file_invalid:
    case errc::no_keys:
    case errc::check_value_mismatch:
      return keys_unusable;
    case errc::unknown_key_version:
    case errc::decrypt_failed:
    case errc::malformed_ciphertext:
      return unreadable;
    case errc::plaintext_too_large:
      return server_failure;
  }
  return server_failure;
}

problem_type type_of(store::errc e) {
  using store::errc;
  switch (e) {
    case errc::busy:
      return {status::service_unavailable, "busy", "The database is busy; retry shortly."};
    case errc::constraint:
      return {status::conflict, "conflict",
              "That conflicts with what is stored (a duplicate, most likely)."};
    case errc::full:
    case errc::corrupt:
    case errc::io:
    case errc::readonly:
    case errc::not_found:
    case errc::open_failed:
    case errc::schema_too_new:
    case errc::migration_failed:
    case errc::invalid_migrations:
    case errc::backup_failed:
    case errc::misuse:
    case errc::sqlite_error:
      return server_failure;
  }
  return server_failure;
}

problem_type type_of(notify::errc e) {
  using notify::errc;
  // Mail is queued by the server for its own reasons: a failure is never the caller's to fix.
  switch (e) {
    case errc::invalid_address:
    case errc::invalid_header:
    case errc::invalid_message:
    case errc::template_not_found:
    case errc::template_invalid:
    case errc::missing_value:
    case errc::invalid_settings:
    case errc::not_found:
      return server_failure;
  }
  return server_failure;
}

problem_type type_of(const std::error_code& code) {
  const auto& category = code.category();
  const int value = code.value();
  if (category == roster::roster_category()) {
    return type_of(static_cast<roster::errc>(value));
  }
  if (category == lifecycle::lifecycle_category()) {
    return type_of(static_cast<lifecycle::errc>(value));
  }
  if (category == oauth::oauth_category()) {
    return type_of(static_cast<oauth::errc>(value));
  }
  if (category == vault::vault_category()) {
    return type_of(static_cast<vault::errc>(value));
  }
  if (category == store::store_category()) {
    return type_of(static_cast<store::errc>(value));
  }
  if (category == notify::notify_category()) {
    return type_of(static_cast<notify::errc>(value));
  }
  return server_failure;  // std::errc, the system's codes, configuration: never the caller's
}

/// "email: not an address" -> {"email", "not an address"}: a single word before ": ".
std::optional<http::field_error> field_named_in(const std::string& message) {
  const auto colon = message.find(": ");
  if (colon == std::string::npos || colon == 0 || colon >= 40 || message.find(' ') < colon) {
    return std::nullopt;
  }
  return http::field_error{message.substr(0, colon), message.substr(colon + 2)};
}

template <class E>
std::string named(const std::error_code& code, std::string_view (*name)(E) noexcept) {
  return std::string(code.category().name()) + "." +
         std::string(name(static_cast<E>(code.value())));
}

}  // namespace

std::string code_name(const std::error_code& code) {
  const auto& category = code.category();
  if (category == roster::roster_category()) {
    return named(code, roster::errc_name);
  }
  if (category == lifecycle::lifecycle_category()) {
    return named(code, lifecycle::errc_name);
  }
  if (category == oauth::oauth_category()) {
    return named(code, oauth::errc_name);
  }
  if (category == vault::vault_category()) {
    return named(code, vault::errc_name);
  }
  if (category == store::store_category()) {
    return named(code, store::errc_name);
  }
  if (category == notify::notify_category()) {
    return named(code, notify::errc_name);
  }
  return std::string(category.name()) + "." + std::to_string(code.value());
}

http::problem problem_for(const base::failure& f) {
  const auto type = type_of(f.code);
  const bool says_more = !type.fixed && !f.client_message.empty();
  auto p = http::make_problem(type.code, std::string(type.slug),
                              says_more ? f.client_message : std::string(type.text));
  switch (type.errors) {
    case errors_from::nothing:
      break;
    case errors_from::field_prefix:
      if (auto field = says_more ? field_named_in(f.client_message) : std::nullopt) {
        p.errors.push_back(std::move(*field));
      }
      break;
    case errors_from::password:
      p.errors.push_back({"password", p.detail});
      break;
    case errors_from::file:
      p.errors.push_back({"file", std::string(type.code_name) + ": " + p.detail});
      break;
  }
  return p;
}

}  // namespace rosterd::edge::api
