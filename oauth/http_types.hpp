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

/// `url` without its query and fragment ("https://host/path"), for logs: provider URLs may
/// carry tokens in the query (Instagram's refresh endpoint does).
[[nodiscard]] std::string redact_url(std::string_view url);

}  // namespace rosterd::oauth
