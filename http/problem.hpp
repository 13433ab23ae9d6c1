#pragma once
// RFC 9457 problem details: every error the HTTP surface returns has this shape.

#include <string>
#include <vector>

#include "http/types.hpp"

namespace rosterd::http {

/// One invalid input, named so the caller knows what to fix.
struct field_error {
  std::string field;    ///< JSON pointer-ish path of the offending input, e.g. "email"
  std::string message;  ///< what is wrong and what would be accepted
};

struct problem {
  status code = status::internal_server_error;
  /// Short slug documented in docs/API.md; the `type` member becomes "/problems/<slug>".
  /// Empty means "about:blank" (the status says it all).
  std::string slug;
  std::string title;   ///< defaults to the status reason phrase
  std::string detail;  ///< client-safe explanation: no internals, no secrets
  std::vector<field_error> errors;
};

/// A problem with no field errors; `slug` may be empty for a plain status.
inline problem make_problem(status code, std::string slug, std::string detail) {
  problem p;
  p.code = code;
  p.slug = std::move(slug);
  p.detail = std::move(detail);
  return p;
}

/// Renders `p` as application/problem+json with the request id in body and header.
response make_problem_response(const problem& p, unsigned http_version,
                               std::string_view request_id);

}  // namespace rosterd::http
