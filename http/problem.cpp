#include "http/problem.hpp"

#include <nlohmann/json.hpp>

namespace rosterd::http {

response make_problem_response(const problem& p, unsigned http_version,
                               std::string_view request_id) {
  nlohmann::json body{
      {"type", p.slug.empty() ? std::string("about:blank") : "/problems/" + p.slug},
      {"title", p.title.empty() ? std::string(beast_http::obsolete_reason(p.code)) : p.title},
      {"status", static_cast<unsigned>(p.code)},
      {"request_id", request_id},
  };
  if (!p.detail.empty()) {
    body["detail"] = p.detail;
  }
  if (!p.errors.empty()) {
    auto& errors = body["errors"] = nlohmann::json::array();
    for (const auto& e : p.errors) {
      errors.push_back({{"field", e.field}, {"message", e.message}});
    }
  }
  response res{p.code, http_version};
  res.set(beast_http::field::content_type, "application/problem+json");
  res.set(beast_http::field::cache_control, "no-store");
  res.body() = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  res.body() += '\n';
  res.prepare_payload();
  return res;
}

}  // namespace rosterd::http
