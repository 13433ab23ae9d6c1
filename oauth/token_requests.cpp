#include "oauth/token_requests.hpp"

#include <stdexcept>

#include "base/crypto.hpp"
#include "oauth/error.hpp"

namespace rosterd::oauth {
namespace {

constexpr std::string_view form_content_type = "application/x-www-form-urlencoded";

base::failure cannot(const provider& p, std::string_view what) {
  return base::fail(errc::invalid_profile, "provider " + p.profile.id + ": " + std::string(what));
}

header_list json_accept() {
  return {{"Accept", "application/json"}};
}

std::string basic_credentials(const provider& p) {
  std::string pair = p.client_id;
  pair.push_back(':');
  pair.append(p.client_secret.reveal());
  base::secret wiped(std::move(pair));
  return "Basic " + base::base64_encode(wiped.reveal());
}

/// A call to the token endpoint family: `fields` plus the client's authentication, sent the way
/// `method` says.
http_request token_endpoint(const provider& p, std::string_view url, token_method method,
                            form_fields fields) {
  http_request request;
  request.headers = json_accept();
  switch (p.profile.token_auth) {
    case client_auth::form_body:
    case client_auth::query:
      fields.emplace_back(p.profile.client_id_param, p.client_id);
      fields.emplace_back("client_secret", p.client_secret.reveal());
      break;
    case client_auth::http_basic:
      request.headers.emplace_back("Authorization", basic_credentials(p));
      break;
  }
  if (method == token_method::get_query) {
    request.method = http_method::get;
    request.url = append_query(url, fields);
  } else {
    request.method = http_method::post;
    request.url = std::string(url);
    request.headers.emplace_back("Content-Type", std::string(form_content_type));
    request.body = form_encode(fields);
  }
  return request;
}

std::string bearer(std::string_view token) {
  std::string out = "Bearer ";
  out.append(token);
  return out;
}

/// A GET or DELETE to the Graph or another resource API with the user token as a Bearer header
/// (and appsecret_proof where the profile signs calls).
http_request resource_call(const provider& p, http_method method, std::string_view url,
                           std::string_view access_token) {
  http_request request;
  request.method = method;
  request.headers = json_accept();
  request.headers.emplace_back("Authorization", bearer(access_token));
  if (p.profile.appsecret_proof) {
    const std::string proof = appsecret_proof(access_token, p.client_secret);
    request.url = append_query(url, {{"appsecret_proof", proof}});
  } else {
    request.url = std::string(url);
  }
  return request;
}

}  // namespace

http_request code_exchange_request(const provider& p, std::string_view code,
                                   std::optional<std::string_view> code_verifier) {
  const bool pkce = p.profile.pkce == pkce_mode::s256;
  if (pkce != code_verifier.has_value()) {
    throw std::invalid_argument(pkce ? "this provider needs the PKCE code_verifier"
                                     : "this provider does not use PKCE");
  }
  code = strip_code_suffix(p.profile, code);
  form_fields fields;
  if (p.profile.token_method == token_method::post_form) {
    fields.emplace_back("grant_type", "authorization_code");
  }
  fields.emplace_back("code", code);
  fields.emplace_back("redirect_uri", p.redirect_uri);
  if (pkce) {
    fields.emplace_back("code_verifier", *code_verifier);
  }
  return token_endpoint(p, p.profile.token_url, p.profile.token_method, std::move(fields));
}

base::result<http_request> long_lived_exchange_request(const provider& p,
                                                       std::string_view short_lived_token) {
  if (!p.profile.long_lived_url) {
    return cannot(p, "has no long-lived token exchange");
  }
  http_request request;
  request.method = http_method::get;
  request.headers = json_accept();
  switch (p.profile.long_lived) {
    case long_lived_style::none:
      return cannot(p, "has no long-lived token exchange");
    case long_lived_style::ig_exchange_token:
      request.url =
          append_query(*p.profile.long_lived_url, {{"grant_type", "ig_exchange_token"},
                                                   {"client_secret", p.client_secret.reveal()},
                                                   {"access_token", short_lived_token}});
      return request;
    case long_lived_style::fb_exchange_token:
      request.url =
          append_query(*p.profile.long_lived_url, {{"grant_type", "fb_exchange_token"},
                                                   {"client_id", p.client_id},
                                                   {"client_secret", p.client_secret.reveal()},
                                                   {"fb_exchange_token", short_lived_token}});
      return request;
  }
  return cannot(p, "has no long-lived token exchange");
}

base::result<http_request> refresh_request(const provider& p, token_view tokens) {
  switch (p.profile.refresh) {
    case refresh_style::none:
      return cannot(p, "cannot refresh a token: the creator must log in again");
    case refresh_style::ig_refresh_token: {
      if (tokens.access_token.empty()) {
        return base::fail(errc::invalid_response,
                          "provider " + p.profile.id + ": no access token to refresh");
      }
      http_request request;
      request.method = http_method::get;
      request.headers = json_accept();
      request.url =
          append_query(p.profile.refresh_url.value_or(p.profile.token_url),
                       {{"grant_type", "ig_refresh_token"}, {"access_token", tokens.access_token}});
      return request;
    }
    case refresh_style::refresh_token_grant: {
      if (tokens.refresh_token.empty()) {
        return base::fail(errc::invalid_response,
                          "provider " + p.profile.id + ": no refresh token stored");
      }
      form_fields fields = {{"grant_type", "refresh_token"},
                            {"refresh_token", tokens.refresh_token}};
      for (const auto& [name, value] : p.profile.extra_refresh_params) {
        fields.emplace_back(name, value);
      }
      // A refresh is always a POST, even where the code exchange is a GET.
      return token_endpoint(p, p.profile.refresh_url.value_or(p.profile.token_url),
                            token_method::post_form, std::move(fields));
    }
  }
  return cannot(p, "cannot refresh a token");
}

http_request identity_request(const provider& p, std::string_view access_token) {
  return resource_call(p, http_method::get, p.profile.identity_url, access_token);
}

base::result<http_request> pages_request(const provider& p, std::string_view user_access_token) {
  if (!p.profile.pages_url) {
    return cannot(p, "has no Pages endpoint");
  }
  return resource_call(p, http_method::get, *p.profile.pages_url, user_access_token);
}

base::result<http_request> debug_token_request(const provider& p, std::string_view input_token) {
  if (!p.profile.debug_token_url) {
    return cannot(p, "has no debug_token endpoint");
  }
  http_request request;
  request.method = http_method::get;
  request.headers = json_accept();
  std::string app_token = "Bearer " + p.client_id;
  app_token.push_back('|');
  app_token.append(p.client_secret.reveal());
  request.headers.emplace_back("Authorization", std::move(app_token));
  request.url = append_query(*p.profile.debug_token_url, {{"input_token", input_token}});
  return request;
}

base::result<http_request> revoke_request(const provider& p, token_view tokens,
                                          std::string_view external_user_id) {
  switch (p.profile.revoke) {
    case revoke_style::none:
      return cannot(p, "has no revoke endpoint: disconnecting deletes the tokens locally");
    case revoke_style::tiktok: {
      if (tokens.access_token.empty()) {
        return base::fail(errc::invalid_response,
                          "provider " + p.profile.id + ": revoking needs the access token");
      }
      http_request request;
      request.method = http_method::post;
      request.url = *p.profile.revoke_url;
      request.headers = json_accept();
      request.headers.emplace_back("Content-Type", std::string(form_content_type));
      request.body = form_encode({{p.profile.client_id_param, p.client_id},
                                  {"client_secret", p.client_secret.reveal()},
                                  {"token", tokens.access_token}});
      return request;
    }
    case revoke_style::meta_permissions: {
      if (tokens.access_token.empty()) {
        return base::fail(errc::invalid_response,
                          "provider " + p.profile.id + ": revoking needs the access token");
      }
      if (external_user_id.empty()) {
        return base::fail(errc::invalid_response,
                          "provider " + p.profile.id + ": revoking needs the user id");
      }
      std::string url = *p.profile.revoke_url;
      const auto at = url.find("{user_id}");
      // The id becomes one path segment: encode everything that could end or escape it.
      std::string encoded = form_encode({{"", external_user_id}}).substr(1);
      url.replace(at, 9, encoded);
      return resource_call(p, http_method::delete_, url, tokens.access_token);
    }
    case revoke_style::rfc7009: {
      const bool refresh = !tokens.refresh_token.empty();
      if (!refresh && tokens.access_token.empty()) {
        return base::fail(errc::invalid_response,
                          "provider " + p.profile.id + ": no token to revoke");
      }
      form_fields fields = {{"token", refresh ? tokens.refresh_token : tokens.access_token},
                            {"token_type_hint", refresh ? "refresh_token" : "access_token"}};
      return token_endpoint(p, *p.profile.revoke_url, token_method::post_form, std::move(fields));
    }
  }
  return cannot(p, "has no revoke endpoint");
}

std::string appsecret_proof(std::string_view access_token, const base::secret& app_secret) {
  const auto mac = base::hmac_sha256(app_secret.reveal(), access_token);
  return base::to_hex(mac.data(), mac.size());
}

}  // namespace rosterd::oauth
