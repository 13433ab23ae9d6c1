#include "edge/api/json_io.hpp"

#include <charconv>

#include <spdlog/logger.h>

#include "base/encoding.hpp"
#include "base/log_field.hpp"
#include "edge/api/api_context.hpp"
#include "roster/error.hpp"
#include "roster/text.hpp"

namespace rosterd::edge::api {
using base::hex_value;

namespace {

std::string decode_component(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 &&
               hex_value(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace

std::string json_text(const json& body) {
  // Stored text may hold bytes that are not UTF-8 (kept before the edge repaired them, or
  // written by hand): each becomes U+FFFD rather than turning the whole answer into a 500.
  return body.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

namespace {

http::response text_response(const http::request_context& ctx, std::string text,
                             http::status code) {
  http::response res{code, ctx.req.version()};
  res.set(http::beast_http::field::content_type, "application/json");
  res.body() = std::move(text);
  res.prepare_payload();
  return res;
}

}  // namespace

http::response json_response(const http::request_context& ctx, const json& body,
                             http::status code) {
  return text_response(ctx, json_text(body), code);
}

http::response json_text_response(const http::request_context& ctx, std::string text) {
  return text_response(ctx, std::move(text), http::status::ok);
}

http::response no_content(const http::request_context& ctx) {
  http::response res{http::status::no_content, ctx.req.version()};
  res.prepare_payload();
  return res;
}

http::response problem_response(const http::request_context& ctx, const http::problem& p) {
  return http::make_problem_response(p, ctx.req.version(), ctx.request_id);
}

void log_failure(spdlog::logger& log, const http::request_context& ctx, const base::failure& f,
                 const http::problem& p) {
  const auto code = static_cast<unsigned>(p.code);
  const auto level = code >= 500 ? spdlog::level::err : spdlog::level::info;
  if (log.should_log(level)) {
    log.log(level, "request_failed request_id={} status={} type={} code={} detail={}",
            ctx.request_id, code, p.slug.empty() ? std::string("about:blank") : p.slug,
            code_name(f.code), base::log_field(base::describe(f), 1024));
  }
}

http::response failure_response(const api_context& api, const http::request_context& ctx,
                                const base::failure& f) {
  const auto p = problem_for(f);
  log_failure(*api.log, ctx, f, p);
  return problem_response(ctx, p);
}

base::result<json> read_object(const http::request_context& ctx, http::problem& problem) {
  const auto type = ctx.req[http::beast_http::field::content_type];
  if (!roster::equals_ignoring_case(roster::trim(type.substr(0, type.find(';'))),
                                    "application/json")) {
    problem = http::make_problem(http::status::unsupported_media_type, "unsupported-media-type",
                                 "Send the body as application/json.");
    return base::fail(roster::errc::invalid_argument, "content type");
  }
  auto parsed = json::parse(ctx.req.body(), nullptr, false);
  if (parsed.is_discarded()) {
    problem = http::make_problem(http::status::bad_request, "malformed-json",
                                 "The body is not valid JSON.");
    return base::fail(roster::errc::invalid_argument, "json");
  }
  if (!parsed.is_object()) {
    problem = http::make_problem(http::status::unprocessable_entity, "invalid-input",
                                 "The body must be a JSON object.");
    return base::fail(roster::errc::invalid_argument, "json");
  }
  return parsed;
}

std::string fields::required_string(std::string_view name, std::size_t max_length) {
  auto it = object_.find(std::string(name));
  if (it == object_.end() || it->is_null()) {
    add(std::string(name), "is required");
    return "";
  }
  return optional_string(name, max_length).value_or("");
}

std::optional<std::string> fields::raw_string(std::string_view name, std::size_t max_length,
                                              bool optional) {
  auto it = object_.find(std::string(name));
  if (it == object_.end() || it->is_null()) {
    if (!optional) {
      add(std::string(name), "is required");
    }
    return std::nullopt;
  }
  if (!it->is_string()) {
    add(std::string(name), "must be a string");
    return std::nullopt;
  }
  const auto& text = it->get_ref<const std::string&>();
  if (text.empty() || text.size() > max_length) {
    add(std::string(name), "must be 1 to " + std::to_string(max_length) + " bytes");
    return std::nullopt;
  }
  return text;
}

std::optional<std::string> fields::optional_string(std::string_view name, std::size_t max_length) {
  auto it = object_.find(std::string(name));
  if (it == object_.end() || it->is_null()) {
    return std::nullopt;
  }
  if (!it->is_string()) {
    add(std::string(name), "must be a string");
    return std::nullopt;
  }
  const auto& text = it->get_ref<const std::string&>();
  const auto trimmed = roster::trim(text);
  if (trimmed.empty()) {
    add(std::string(name), "must not be empty");
    return std::nullopt;
  }
  if (trimmed.size() > max_length) {
    add(std::string(name), "must be at most " + std::to_string(max_length) + " bytes");
    return std::nullopt;
  }
  return std::string(trimmed);
}

std::optional<bool> fields::optional_bool(std::string_view name) {
  auto it = object_.find(std::string(name));
  if (it == object_.end() || it->is_null()) {
    return std::nullopt;
  }
  if (!it->is_boolean()) {
    add(std::string(name), "must be true or false");
    return std::nullopt;
  }
  return it->get<bool>();
}

void fields::allow_only(std::initializer_list<std::string_view> names) {
  for (const auto& [key, value] : object_.items()) {
    bool known = false;
    for (auto n : names) {
      known = known || key == n;
    }
    if (!known) {
      add(key, "is not a field of this request");
    }
  }
}

http::problem fields::problem() const {
  auto p = http::make_problem(http::status::unprocessable_entity, "invalid-input",
                              "Some fields are missing or invalid; see errors.");
  p.errors = errors_;
  return p;
}

std::optional<std::string> query_param(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    const auto amp = query.find('&');
    const auto pair = query.substr(0, amp);
    const auto eq = pair.find('=');
    if (decode_component(pair.substr(0, eq)) == name) {
      return eq == std::string_view::npos ? std::string() : decode_component(pair.substr(eq + 1));
    }
    if (amp == std::string_view::npos) {
      break;
    }
    query.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

base::result<int> page_limit(std::string_view query, int fallback, int max) {
  auto text = query_param(query, "limit");
  if (!text) {
    return fallback;
  }
  int value = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size() || value < 1 || value > max) {
    return base::reject(roster::errc::invalid_argument,
                        "limit: must be a whole number from 1 to " + std::to_string(max));
  }
  return value;
}

}  // namespace rosterd::edge::api
