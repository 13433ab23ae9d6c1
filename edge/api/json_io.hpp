#pragma once
// The JSON edge of the /v1 API: reading request bodies with field-named errors, writing JSON
// responses, and answering failures as problem+json. Nothing below this layer sees JSON.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/failure.hpp"
#include "edge/api/failure_problem.hpp"
#include "http/problem.hpp"
#include "http/types.hpp"

namespace spdlog {
class logger;
}

namespace rosterd::edge::api {

class api_context;

using json = nlohmann::json;

/// A JSON 200 (or `code`) response; Cache-Control stays the dispatcher's no-store.
http::response json_response(const http::request_context& ctx, const json& body,
                             http::status code = http::status::ok);
/// `body` as the text json_response sends (for an answer kept and sent again).
std::string json_text(const json& body);
/// A JSON 200 whose body is already text (from json_text).
http::response json_text_response(const http::request_context& ctx, std::string text);
/// 204 No Content.
http::response no_content(const http::request_context& ctx);
/// The problem as a response.
http::response problem_response(const http::request_context& ctx, const http::problem& p);

/// Logs what the operator needs of a failure answered with `p`: the request id, the status,
/// the problem type, the code and the operator detail (5xx at error, the rest at info, like the
/// dispatcher's access line, which adds the route and the time taken). The one line a failure
/// gets: callers do not log it again.
void log_failure(spdlog::logger& log, const http::request_context& ctx, const base::failure& f,
                 const http::problem& p);

/// The failure as a problem response (see problem_for: the client message or the type's fixed
/// wording, never the operator detail), logged with log_failure.
http::response failure_response(const api_context& api, const http::request_context& ctx,
                                const base::failure& f);

/// Reads a JSON object body. Fails (as a problem) for a wrong Content-Type (415), malformed
/// JSON (400, with the byte position), or a body that is not an object (422).
base::result<json> read_object(const http::request_context& ctx, http::problem& problem);

/// Collects field errors while reading an object, so one response names every bad field.
class fields {
 public:
  explicit fields(const json& object) : object_(object) {}
  /// A required string of 1..max_length bytes after trimming.
  std::string required_string(std::string_view name, std::size_t max_length = 320);
  std::optional<std::string> optional_string(std::string_view name, std::size_t max_length = 320);
  /// A string taken exactly as sent (no trimming): passwords. Required unless `optional`.
  std::optional<std::string> raw_string(std::string_view name, std::size_t max_length,
                                        bool optional = false);
  std::optional<bool> optional_bool(std::string_view name);
  /// Reports unknown members too (a typo should not be silently ignored).
  void allow_only(std::initializer_list<std::string_view> names);
  void add(std::string field, std::string message) {
    errors_.push_back({std::move(field), std::move(message)});
  }
  [[nodiscard]] bool ok() const noexcept { return errors_.empty(); }
  /// 422 with every collected field error.
  [[nodiscard]] http::problem problem() const;

 private:
  const json& object_;
  std::vector<http::field_error> errors_;
};

/// What a list route answers: {"items": [...]} with each element of `list` turned into JSON by
/// `convert`, or the read's failure as a problem. One place for the read-then-answer steps every
/// list handler shared.
template <class T, class Convert>
http::response items_response(const api_context& api, const http::request_context& ctx,
                              const base::result<std::vector<T>>& list, Convert&& convert) {
  if (!list) {
    return failure_response(api, ctx, list.error());
  }
  json items = json::array();
  for (const auto& item : *list) {
    items.push_back(convert(item));
  }
  return json_response(ctx, {{"items", std::move(items)}});
}

/// A query parameter, percent-decoded; nullopt when absent.
std::optional<std::string> query_param(std::string_view query, std::string_view name);

/// The query's "limit" (default `fallback`): fails with a field problem when not 1..max.
base::result<int> page_limit(std::string_view query, int fallback, int max);

}  // namespace rosterd::edge::api
