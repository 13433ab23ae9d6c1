#pragma once
// gzip for large answers that carry no secret (a roster status page is 89 KB of JSON and about
// 9 KB compressed). Only bodies without secrets are compressed: a secret next to text an
// attacker can influence would leak through the compressed length (BREACH).

#include <string>
#include <string_view>

namespace rosterd::http {

/// Whether an Accept-Encoding header value accepts gzip (RFC 9110 §12.5.3: `gzip`, `x-gzip`
/// or `*`, with any q-value other than 0; `gzip;q=0` refuses it).
[[nodiscard]] bool accepts_gzip(std::string_view accept_encoding) noexcept;

/// `body` as a gzip member (RFC 1952), compressed by zlib at its default level. Throws
/// std::bad_alloc when zlib cannot allocate (the only way it fails on memory input).
[[nodiscard]] std::string gzip(std::string_view body);

}  // namespace rosterd::http
