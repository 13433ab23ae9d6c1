#pragma once
// The http library's error codes (category "http"), for failures it reports as results.

#include <system_error>

namespace rosterd::http {

enum class errc {
  bind_failed = 1,  ///< could not listen on a configured address
  adopt_failed,     ///< an inherited (socket-activation) fd is not a usable listening socket
  bad_certificate,  ///< the TLS certificate chain could not be loaded
  bad_key,          ///< the TLS private key could not be loaded or does not match
};

const std::error_category& http_category() noexcept;
std::error_code make_error_code(errc e) noexcept;

}  // namespace rosterd::http

template <>
struct std::is_error_code_enum<rosterd::http::errc> : std::true_type {};
