#pragma once
// An HTTP exchange with a provider as plain data: the protocol code builds requests and reads
// responses without knowing about sockets; the HTTPS client (https_client.hpp) carries them.
// Request bodies and some URLs hold secrets (client secret, code, tokens): never log them;
// log redact_url(url) instead.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rosterd::oauth {

enum class http_method { get, post, delete_ };

using header_list = std::vector<std::pair<std::string, std::string>>;

struct http_request {
  http_method method = http_method::get;
  std::string url;  // absolute https URL, query included
  header_list headers;
  std::string body;  // with its Content-Type in headers when not empty
};

struct http_response {
  unsigned status = 0;
  header_list headers;
  std::string body;

  /// The first header named `name` (case-insensitive), if any.
  [[nodiscard]] std::optional<std::string> header(std::string_view name) const;
};

/// `url` without its query, fragment and userinfo ("https://host/path"), for logs: provider
/// URLs may carry tokens in the query (Instagram's refresh endpoint does).
[[nodiscard]] std::string redact_url(std::string_view url);

/// Name/value pairs for a form body or a query string. Views, so secrets are copied once: into
/// the encoded result.
using form_fields = std::vector<std::pair<std::string_view, std::string_view>>;

/// `application/x-www-form-urlencoded` text (also valid as a URL query): every byte outside
/// RFC 3986's unreserved set (A-Z a-z 0-9 - . _ ~) percent-encoded, a space as %20, pairs
/// joined with '&'. The result may hold secrets: never log it.
[[nodiscard]] std::string form_encode(const form_fields& fields);

/// `url` with `fields` appended to its query ('?' or '&'), before any fragment.
[[nodiscard]] std::string append_query(std::string_view url, const form_fields& fields);

/// Decodes a query string or form body into pairs in order ('+' is a space, a name without
/// '=' has an empty value). nullopt when the text is not a valid query (a bad %-escape or a
/// character a query cannot hold).
[[nodiscard]] std::optional<std::vector<std::pair<std::string, std::string>>> form_decode(
    std::string_view text);

}  // namespace rosterd::oauth
