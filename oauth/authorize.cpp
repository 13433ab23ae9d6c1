#include "oauth/authorize.hpp"

#include <stdexcept>

#include "oauth/error.hpp"
#include "oauth/http_types.hpp"
#include "oauth/pkce.hpp"
#include "oauth/provider_error.hpp"
#include "oauth/utf8.hpp"

namespace rosterd::oauth {
namespace {

// Provider text is kept (events) and shown (pages): bounded, and valid UTF-8 whatever arrived.
constexpr std::size_t max_text_bytes = 512;
constexpr std::size_t max_quoted_issuer_bytes = 200;

base::failure malformed(std::string detail) {
  return base::fail(errc::malformed_request, "callback: " + std::move(detail));
}

}  // namespace

std::string authorize_url(const provider& p, std::string_view state,
                          std::optional<std::string_view> code_challenge, authorize_mode mode) {
  const provider_profile& profile = p.profile;
  const bool pkce = profile.pkce == pkce_mode::s256;
  if (pkce != code_challenge.has_value()) {
    throw std::invalid_argument(pkce ? "this provider needs a PKCE code_challenge"
                                     : "this provider does not use PKCE");
  }
  if (state.empty()) {
    throw std::invalid_argument("an authorize URL needs a state");
  }
  const std::string scopes = join_scopes(profile, p.scopes);
  form_fields fields = {
      {profile.client_id_param, p.client_id},
      {"redirect_uri", p.redirect_uri},
      {"response_type", "code"},
      {"scope", scopes},
      {"state", state},
  };
  if (pkce) {
    fields.emplace_back("code_challenge", *code_challenge);
    fields.emplace_back("code_challenge_method", "S256");
  }
  for (const auto& [name, value] : profile.extra_authorize_params) {
    fields.emplace_back(name, value);
  }
  if (mode == authorize_mode::reconsent) {
    for (const auto& [name, value] : profile.reconsent_authorize_params) {
      fields.emplace_back(name, value);
    }
  }
  return append_query(profile.authorize_url, fields);
}

authorization_start begin_authorization(const provider& p, authorize_mode mode) {
  authorization_start out{{}, make_state(), std::nullopt};
  std::optional<std::string> challenge;
  if (p.profile.pkce == pkce_mode::s256) {
    out.code_verifier = make_code_verifier();
    challenge = code_challenge_s256(out.code_verifier->reveal());
  }
  out.url =
      authorize_url(p, out.state.value.reveal(),
                    challenge ? std::optional<std::string_view>(*challenge) : std::nullopt, mode);
  return out;
}

base::result<callback_params> parse_callback(const provider_profile& profile,
                                             std::string_view query, std::size_t max_bytes) {
  if (query.size() > max_bytes) {
    return base::fail(errc::request_too_large,
                      "callback: query over " + std::to_string(max_bytes) + " bytes");
  }
  if (query.starts_with('?')) {
    query.remove_prefix(1);
  }
  auto fields = form_decode(query);
  if (!fields) {
    return malformed("the query is not valid percent-encoded text");
  }
  callback_params out;
  std::optional<std::string> state;
  std::optional<std::string> code;
  const auto take_once = [](std::optional<std::string>& slot, std::string& value,
                            std::string_view name) -> std::optional<base::failure> {
    if (slot) {
      return malformed("parameter '" + std::string(name) + "' appears more than once");
    }
    slot = std::move(value);
    return std::nullopt;
  };
  for (auto& [name, value] : *fields) {
    std::optional<base::failure> problem;
    if (name == "state") {
      problem = take_once(state, value, name);
    } else if (name == "code") {
      problem = take_once(code, value, name);
    } else if (name == "error") {
      value = repair_utf8(value, max_text_bytes);
      problem = take_once(out.error, value, name);
    } else if (name == "error_description") {
      value = repair_utf8(value, max_text_bytes);
      problem = take_once(out.error_description, value, name);
    } else if (name == "error_reason") {
      value = repair_utf8(value, max_text_bytes);
      problem = take_once(out.error_reason, value, name);
    } else if (name == "iss") {
      problem = take_once(out.iss, value, name);
    } else if (name == "scopes") {
      if (out.granted_scopes) {
        problem = malformed("parameter 'scopes' appears more than once");
      } else {
        out.granted_scopes = split_scopes(value);
      }
    }
    if (problem) {
      if (code) {
        base::secret wipe(std::move(*code));
      }
      return *problem;
    }
  }
  base::secret code_secret(code ? std::move(*code) : std::string());
  if (!state || state->empty()) {
    return malformed("no state");
  }
  if (code && out.error) {
    return malformed("both code and error");
  }
  if (!code && !out.error) {
    return malformed("neither code nor error");
  }
  if (out.error && out.error->empty()) {
    return malformed("an empty error");
  }
  if (code) {
    const std::string_view stripped = strip_code_suffix(profile, code_secret.reveal());
    if (stripped.empty()) {
      return malformed("an empty code");
    }
    out.code = base::secret(std::string(stripped));
  }
  out.state = std::move(*state);
  return out;
}

std::optional<std::string> issuer_mismatch(const provider_profile& profile,
                                           const callback_params& callback) {
  if (!profile.issuer) {
    return std::nullopt;
  }
  if (!callback.iss) {
    return "the callback carried no iss, and " + *profile.issuer + " always sends one";
  }
  if (*callback.iss != *profile.issuer) {
    return "the callback's iss is \"" +
           repair_utf8(scrub_message(*callback.iss), max_quoted_issuer_bytes) + "\", not " +
           *profile.issuer;
  }
  return std::nullopt;
}

}  // namespace rosterd::oauth
