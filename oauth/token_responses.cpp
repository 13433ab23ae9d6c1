#include "oauth/token_responses.hpp"

#include <algorithm>
#include <cctype>

#include "oauth/error.hpp"
#include "oauth/json_detail.hpp"

namespace rosterd::oauth {
namespace {

using detail::json;
using detail::member;
using std::chrono::seconds;
using time_point = std::chrono::system_clock::time_point;

/// Lifetimes beyond this are not believable (and would overflow time arithmetic).
constexpr std::int64_t max_lifetime_seconds = std::int64_t{100} * 365 * 24 * 3600;

base::failure bad(const provider_profile& profile, std::string_view what, std::string_view field,
                  std::string_view problem) {
  std::string detail(profile.id.empty() ? std::string_view("provider") : profile.id);
  detail.push_back(' ');
  detail.append(what);
  detail.append(": ");
  detail.append(field);
  detail.push_back(' ');
  detail.append(problem);
  return base::fail(errc::invalid_response, std::move(detail));
}

base::result<json> parse_object(const provider_profile& profile, std::string_view what,
                                std::string_view body) {
  auto doc = detail::parse_json(body);
  if (!doc) {
    return bad(profile, what, "body", "is not JSON");
  }
  if (!doc->is_object()) {
    return bad(profile, what, "body", "is not a JSON object");
  }
  return std::move(*doc);
}

/// An optional non-negative number of seconds (JSON number or quoted number).
base::result<std::optional<seconds>> optional_seconds(const provider_profile& profile,
                                                      std::string_view what, const json& obj,
                                                      std::string_view field) {
  const json* v = member(obj, field);
  if (!v) {
    return std::optional<seconds>();
  }
  const auto n = detail::integer_value(*v);
  if (!n) {
    return bad(profile, what, field, "is not an integer");
  }
  if (*n < 0 || *n > max_lifetime_seconds) {
    return bad(profile, what, field, "is out of range");
  }
  return std::optional<seconds>(seconds(*n));
}

/// An optional Unix time in seconds; 0 means "none".
base::result<std::optional<time_point>> optional_unix_time(const provider_profile& profile,
                                                           std::string_view what, const json& obj,
                                                           std::string_view field) {
  auto s = optional_seconds(profile, what, obj, field);
  if (!s) {
    return s.error();
  }
  if (!*s || (*s)->count() == 0) {
    return std::optional<time_point>();
  }
  return std::optional<time_point>(time_point(**s));
}

base::result<std::optional<std::string>> optional_string(const provider_profile& profile,
                                                         std::string_view what, const json& obj,
                                                         std::string_view field) {
  const json* v = member(obj, field);
  if (!v) {
    return std::optional<std::string>();
  }
  if (!v->is_string()) {
    return bad(profile, what, field, "is not a string");
  }
  return std::optional<std::string>(v->get<std::string>());
}

base::result<std::optional<std::string>> optional_id(const provider_profile& profile,
                                                     std::string_view what, const json& obj,
                                                     std::string_view field) {
  const json* v = member(obj, field);
  if (!v) {
    return std::optional<std::string>();
  }
  auto id = detail::id_text(*v);
  if (!id) {
    return bad(profile, what, field, "is neither a non-empty string nor an integer");
  }
  return std::optional<std::string>(std::move(*id));
}

/// Scopes as a separated string or an array of strings.
base::result<std::vector<std::string>> scope_list(const provider_profile& profile,
                                                  std::string_view what, const json& v,
                                                  std::string_view field) {
  std::vector<std::string> out;
  if (v.is_string()) {
    return split_scopes(v.get_ref<const std::string&>());
  }
  if (v.is_array()) {
    for (const auto& item : v) {
      if (!item.is_string()) {
        return bad(profile, what, field, "holds a value that is not a string");
      }
      for (auto& scope : split_scopes(item.get_ref<const std::string&>())) {
        out.push_back(std::move(scope));
      }
    }
    return out;
  }
  return bad(profile, what, field, "is neither a string nor an array");
}

/// Tokens travel in Authorization headers: only visible ASCII (no space, CR, LF, NUL) may pass.
bool header_safe(std::string_view token) {
  return std::all_of(token.begin(), token.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

/// Instagram's code exchange: {"data":[{...}]} in the docs, a flat object in practice.
base::result<const json*> token_object(const provider_profile& profile, const json& doc) {
  constexpr std::string_view what = "token answer";
  if (member(doc, "access_token")) {
    return &doc;
  }
  if (const json* data = member(doc, "data")) {
    if (profile.dialect == dialect::instagram_login) {
      if (!data->is_array() || data->empty() || !(*data)[0].is_object()) {
        return bad(profile, what, "data", "is not an array holding an object");
      }
      return &(*data)[0];
    }
    if (data->is_object() && member(*data, "access_token")) {
      return data;  // a wrapped answer (older TikTok style)
    }
  }
  if (const json* err = member(doc, "error"); err && (err->is_string() || err->is_object())) {
    return base::fail(errc::provider_error,
                      profile.id + " token answer is an error answer: classify the response");
  }
  if (member(doc, "error_type")) {
    return base::fail(errc::provider_error,
                      profile.id + " token answer is an error answer: classify the response");
  }
  return bad(profile, what, "access_token", "is missing");
}

/// A dotted path ("data.user.id") into a generic identity answer.
const json* at_path(const json& doc, std::string_view path) {
  const json* node = &doc;
  while (!path.empty()) {
    const auto dot = path.find('.');
    node = member(*node, path.substr(0, dot));
    if (!node) {
      return nullptr;
    }
    path = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
  }
  return node;
}

}  // namespace

base::result<token_grant> parse_token_response(const provider_profile& profile,
                                               std::string_view body) {
  constexpr std::string_view what = "token answer";
  auto doc = parse_object(profile, what, body);
  if (!doc) {
    return doc.error();
  }
  auto located = token_object(profile, *doc);
  if (!located) {
    return located.error();
  }
  const json& obj = **located;

  token_grant grant;
  {
    const json* v = member(obj, "access_token");
    if (!v) {
      return bad(profile, what, "access_token", "is missing");
    }
    if (!v->is_string()) {
      return bad(profile, what, "access_token", "is not a string");
    }
    if (v->get_ref<const std::string&>().empty()) {
      return bad(profile, what, "access_token", "is empty");
    }
    if (!header_safe(v->get_ref<const std::string&>())) {
      return bad(profile, what, "access_token", "holds characters outside visible ASCII");
    }
    grant.access_token = base::secret(v->get<std::string>());
  }
  if (const json* v = member(obj, "refresh_token")) {
    if (!v->is_string()) {
      return bad(profile, what, "refresh_token", "is not a string");
    }
    if (!header_safe(v->get_ref<const std::string&>())) {
      return bad(profile, what, "refresh_token", "holds characters outside visible ASCII");
    }
    if (!v->get_ref<const std::string&>().empty()) {
      grant.refresh_token = base::secret(v->get<std::string>());
    }
  }
  if (auto type = optional_string(profile, what, obj, "token_type"); !type) {
    return type.error();
  } else if (*type) {
    if (!iequals(**type, "bearer")) {
      return bad(profile, what, "token_type", "is not bearer");
    }
    grant.token_type = std::move(**type);
  }
  if (auto v = optional_seconds(profile, what, obj, "expires_in"); !v) {
    return v.error();
  } else {
    grant.expires_in = *v;
  }
  for (std::string_view field : {"refresh_expires_in", "refresh_token_expires_in"}) {
    auto v = optional_seconds(profile, what, obj, field);
    if (!v) {
      return v.error();
    }
    if (*v) {
      grant.refresh_expires_in = *v;
    }
  }
  if (auto v = optional_unix_time(profile, what, obj, "refresh_token_expires_at"); !v) {
    return v.error();
  } else {
    grant.refresh_expires_at = *v;
  }
  for (std::string_view field : {"scope", "permissions"}) {
    if (const json* v = member(obj, field)) {
      auto scopes = scope_list(profile, what, *v, field);
      if (!scopes) {
        return scopes.error();
      }
      grant.granted_scopes = std::move(*scopes);
      break;
    }
  }
  switch (profile.dialect) {
    case dialect::instagram_login: {
      auto id = optional_id(profile, what, obj, "user_id");
      if (!id) {
        return id.error();
      }
      grant.external_user_id = std::move(*id);
      break;
    }
    case dialect::tiktok: {
      auto id = optional_id(profile, what, obj, "open_id");
      if (!id) {
        return id.error();
      }
      grant.external_user_id = std::move(*id);
      break;
    }
    case dialect::meta_graph:
    case dialect::pinterest:
    case dialect::generic:
      break;
  }
  return grant;
}

base::result<identity> parse_identity_response(const provider_profile& profile,
                                               std::string_view body) {
  constexpr std::string_view what = "identity answer";
  auto parsed = parse_object(profile, what, body);
  if (!parsed) {
    return parsed.error();
  }
  const json& doc = *parsed;
  identity out;

  const auto required_id = [&](const json& obj, std::string_view field,
                               std::string& slot) -> std::optional<base::failure> {
    auto id = optional_id(profile, what, obj, field);
    if (!id) {
      return id.error();
    }
    if (!*id) {
      return bad(profile, what, field, "is missing");
    }
    slot = std::move(**id);
    return std::nullopt;
  };
  const auto text = [&](const json& obj, std::string_view field,
                        std::string& slot) -> std::optional<base::failure> {
    auto s = optional_string(profile, what, obj, field);
    if (!s) {
      return s.error();
    }
    slot = s->value_or("");
    return std::nullopt;
  };

  switch (profile.dialect) {
    case dialect::instagram_login: {
      // user_id is the professional account id webhooks use; id is app-scoped.
      std::string app_scoped;
      if (member(doc, "user_id")) {
        if (auto e = required_id(doc, "user_id", out.external_id)) {
          return *e;
        }
        if (member(doc, "id")) {
          if (auto e = required_id(doc, "id", app_scoped)) {
            return *e;
          }
        }
      } else if (auto e = required_id(doc, "id", out.external_id)) {
        return bad(profile, what, "user_id", "is missing");
      }
      if (!app_scoped.empty() && app_scoped != out.external_id) {
        out.other_ids.push_back(std::move(app_scoped));
      }
      if (auto e = text(doc, "username", out.username)) {
        return *e;
      }
      if (out.username.empty()) {
        return bad(profile, what, "username", "is missing");
      }
      if (auto e = text(doc, "name", out.display_name)) {
        return *e;
      }
      return out;
    }
    case dialect::meta_graph: {
      if (auto e = required_id(doc, "id", out.external_id)) {
        return *e;
      }
      if (auto e = text(doc, "name", out.display_name)) {
        return *e;
      }
      if (const json* accounts = member(doc, "accounts")) {
        const json* pages = member(*accounts, "data");
        if (!pages || !pages->is_array()) {
          return bad(profile, what, "accounts.data", "is not an array");
        }
        for (const auto& page : *pages) {
          const json* ig = member(page, "instagram_business_account");
          if (!ig) {
            continue;  // a Page without a linked Instagram account
          }
          linked_account account;
          if (auto e = required_id(*ig, "id", account.id)) {
            return bad(profile, what, "accounts.data[].instagram_business_account.id",
                       "is missing or ill-typed");
          }
          if (auto e = text(*ig, "username", account.username)) {
            return bad(profile, what, "accounts.data[].instagram_business_account.username",
                       "is not a string");
          }
          out.linked_instagram_accounts.push_back(std::move(account));
        }
        if (out.linked_instagram_accounts.size() == 1) {
          out.username = out.linked_instagram_accounts.front().username;
        }
      }
      return out;
    }
    case dialect::tiktok: {
      if (const json* err = member(doc, "error"); err && err->is_object()) {
        const json* code = member(*err, "code");
        if (code && code->is_string() && code->get_ref<const std::string&>() != "ok") {
          return base::fail(errc::provider_error,
                            profile.id + " identity answer is an error answer: classify it");
        }
      }
      const json* data = member(doc, "data");
      if (!data || !data->is_object()) {
        return bad(profile, what, "data", "is missing or not an object");
      }
      const json* user = member(*data, "user");
      if (!user || !user->is_object()) {
        return bad(profile, what, "data.user", "is missing or not an object");
      }
      if (auto e = required_id(*user, "open_id", out.external_id)) {
        return bad(profile, what, "data.user.open_id", "is missing or ill-typed");
      }
      if (auto e = text(*user, "display_name", out.display_name)) {
        return bad(profile, what, "data.user.display_name", "is not a string");
      }
      if (auto e = text(*user, "username", out.username)) {
        return bad(profile, what, "data.user.username", "is not a string");
      }
      std::string union_id;
      if (auto e = text(*user, "union_id", union_id)) {
        return bad(profile, what, "data.user.union_id", "is not a string");
      }
      if (!union_id.empty()) {
        out.other_ids.push_back(std::move(union_id));
      }
      return out;
    }
    case dialect::pinterest: {
      if (auto e = text(doc, "username", out.username)) {
        return *e;
      }
      if (out.username.empty()) {
        return bad(profile, what, "username", "is missing");
      }
      auto id = optional_id(profile, what, doc, "id");
      if (!id) {
        return id.error();
      }
      out.external_id = id->value_or(out.username);
      if (auto e = text(doc, "business_name", out.display_name)) {
        return *e;
      }
      return out;
    }
    case dialect::generic: {
      const json* id = at_path(doc, profile.identity.id);
      if (!id) {
        return bad(profile, what, profile.identity.id, "is missing");
      }
      auto id_text = detail::id_text(*id);
      if (!id_text) {
        return bad(profile, what, profile.identity.id,
                   "is neither a non-empty string nor an integer");
      }
      out.external_id = std::move(*id_text);
      if (const json* u = at_path(doc, profile.identity.username)) {
        if (!u->is_string()) {
          return bad(profile, what, profile.identity.username, "is not a string");
        }
        out.username = u->get<std::string>();
      }
      if (!profile.identity.display_name.empty()) {
        if (const json* d = at_path(doc, profile.identity.display_name)) {
          if (!d->is_string()) {
            return bad(profile, what, profile.identity.display_name, "is not a string");
          }
          out.display_name = d->get<std::string>();
        }
      }
      return out;
    }
  }
  return bad(profile, what, "body", "has an unknown dialect");
}

base::result<std::vector<managed_page>> parse_pages_response(const provider_profile& profile,
                                                             std::string_view body) {
  constexpr std::string_view what = "Pages answer";
  auto parsed = parse_object(profile, what, body);
  if (!parsed) {
    return parsed.error();
  }
  const json& doc = *parsed;
  if (const json* err = member(doc, "error"); err && err->is_object()) {
    return base::fail(errc::provider_error,
                      profile.id + " Pages answer is an error answer: classify the response");
  }
  const json* data = member(doc, "data");
  if (!data || !data->is_array()) {
    return bad(profile, what, "data", "is missing or not an array");
  }
  std::vector<managed_page> out;
  for (const auto& item : *data) {
    if (!item.is_object()) {
      return bad(profile, what, "data[]", "holds a value that is not an object");
    }
    managed_page page;
    auto id = optional_id(profile, what, item, "id");
    if (!id || !*id) {
      return bad(profile, what, "data[].id", "is missing or ill-typed");
    }
    page.id = std::move(**id);
    const json* token = member(item, "access_token");
    if (!token) {
      continue;  // listed, but this user's tasks on the Page grant no token
    }
    if (!token->is_string() || token->get_ref<const std::string&>().empty() ||
        !header_safe(token->get_ref<const std::string&>())) {
      return bad(profile, what, "data[].access_token",
                 "is not a non-empty string of visible ASCII");
    }
    page.access_token = base::secret(token->get<std::string>());
    auto name = optional_string(profile, what, item, "name");
    if (!name) {
      return bad(profile, what, "data[].name", "is not a string");
    }
    page.name = name->value_or("");
    if (const json* ig = member(item, "instagram_business_account")) {
      auto ig_id = optional_id(profile, what, *ig, "id");
      if (!ig->is_object() || !ig_id || !*ig_id) {
        return bad(profile, what, "data[].instagram_business_account.id",
                   "is missing or ill-typed");
      }
      page.instagram_account_id = std::move(**ig_id);
    }
    const bool repeated =
        std::any_of(out.begin(), out.end(), [&](const managed_page& p) { return p.id == page.id; });
    if (repeated) {
      return bad(profile, what, "data[].id", "is repeated");
    }
    out.push_back(std::move(page));
  }
  return out;
}

base::result<token_debug_info> parse_debug_token_response(std::string_view body) {
  static const provider_profile meta = [] {
    provider_profile p;
    p.id = "meta";
    p.dialect = dialect::meta_graph;
    return p;
  }();
  constexpr std::string_view what = "debug_token answer";
  auto doc = parse_object(meta, what, body);
  if (!doc) {
    return doc.error();
  }
  const json* data = member(*doc, "data");
  if (!data || !data->is_object()) {
    return bad(meta, what, "data", "is missing or not an object");
  }
  token_debug_info out;
  const json* valid = member(*data, "is_valid");
  if (!valid) {
    return bad(meta, what, "data.is_valid", "is missing");
  }
  if (!valid->is_boolean()) {
    return bad(meta, what, "data.is_valid", "is not a boolean");
  }
  out.is_valid = valid->get<bool>();
  for (auto [field, slot] :
       {std::pair{std::string_view("expires_at"), &out.expires_at},
        std::pair{std::string_view("data_access_expires_at"), &out.data_access_expires_at},
        std::pair{std::string_view("issued_at"), &out.issued_at}}) {
    auto t = optional_unix_time(meta, what, *data, field);
    if (!t) {
      return bad(meta, what, "data." + std::string(field), "is not a Unix time");
    }
    *slot = *t;
  }
  if (const json* scopes = member(*data, "scopes")) {
    auto list = scope_list(meta, what, *scopes, "data.scopes");
    if (!list) {
      return list.error();
    }
    out.scopes = std::move(*list);
  }
  for (auto [field, slot] : {std::pair{std::string_view("user_id"), &out.user_id},
                             std::pair{std::string_view("app_id"), &out.app_id}}) {
    auto id = optional_id(meta, what, *data, field);
    if (!id) {
      return bad(meta, what, "data." + std::string(field), "is ill-typed");
    }
    *slot = id->value_or("");
  }
  if (auto type = optional_string(meta, what, *data, "type"); !type) {
    return bad(meta, what, "data.type", "is not a string");
  } else {
    out.type = type->value_or("");
  }
  if (const json* err = member(*data, "error"); err && err->is_object()) {
    const json* code = member(*err, "code");
    const auto code_value = code ? detail::integer_value(*code) : std::nullopt;
    if (!code_value) {
      return bad(meta, what, "data.error.code", "is missing or not an integer");
    }
    std::optional<int> subcode;
    if (const json* sub = member(*err, "subcode")) {
      if (auto v = detail::integer_value(*sub); v && *v <= 1'000'000'000) {
        subcode = static_cast<int>(*v);
      }
    }
    out.error = classify_meta_error(
        static_cast<int>(std::clamp<std::int64_t>(*code_value, -1, 1'000'000'000)), subcode,
        phase::api_call);
    if (const json* m = member(*err, "message"); m && m->is_string()) {
      out.error->message = scrub_message(m->get_ref<const std::string&>());
    }
  }
  return out;
}

std::optional<seconds> access_lifetime(const provider_profile& profile, const token_grant& grant,
                                       phase step) {
  if (grant.expires_in) {
    return grant.expires_in;
  }
  const bool long_lived =
      step == phase::long_lived_exchange ||
      (step == phase::refresh && profile.refresh == refresh_style::ig_refresh_token);
  return long_lived ? profile.lifetimes.long_lived_access_token : profile.lifetimes.access_token;
}

std::optional<time_point> refresh_expiry(const provider_profile& profile, const token_grant& grant,
                                         time_point now) {
  if (!grant.refresh_token) {
    return std::nullopt;
  }
  if (grant.refresh_expires_at) {
    return grant.refresh_expires_at;
  }
  if (grant.refresh_expires_in) {
    return now + *grant.refresh_expires_in;
  }
  if (profile.lifetimes.refresh_token) {
    return now + *profile.lifetimes.refresh_token;
  }
  return std::nullopt;
}

}  // namespace rosterd::oauth
