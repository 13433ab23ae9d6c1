#include "http/compression.hpp"

#include <new>
#include <stdexcept>
#include <zlib.h>

#include <boost/beast/core/string.hpp>

#include "http/field_text.hpp"

namespace rosterd::http {
namespace {

/// A q-value of zero ("0", "0.", "0.000"): the coding is refused.
bool refuses(std::string_view params) {
  while (!params.empty()) {
    const auto semi = params.find(';');
    auto param = trim_ows(params.substr(0, semi));
    params = semi == std::string_view::npos ? std::string_view{} : params.substr(semi + 1);
    if (param.size() >= 2 && (param[0] == 'q' || param[0] == 'Q') && param[1] == '=') {
      auto value = trim_ows(param.substr(2));
      if (value.empty() || value[0] != '0') {
        return false;
      }
      value.remove_prefix(1);
      if (!value.empty() && value[0] == '.') {
        value.remove_prefix(1);
      }
      return value.find_first_not_of('0') == std::string_view::npos;
    }
  }
  return false;
}

}  // namespace

bool accepts_gzip(std::string_view accept_encoding) noexcept {
  bool by_name = false;
  bool by_name_refused = false;
  bool by_star = false;
  while (!accept_encoding.empty()) {
    const auto comma = accept_encoding.find(',');
    const auto item = accept_encoding.substr(0, comma);
    accept_encoding =
        comma == std::string_view::npos ? std::string_view{} : accept_encoding.substr(comma + 1);
    const auto semi = item.find(';');
    const auto coding = trim_ows(item.substr(0, semi));
    const auto params = semi == std::string_view::npos ? std::string_view{} : item.substr(semi + 1);
    if (boost::beast::iequals(coding, "gzip") || boost::beast::iequals(coding, "x-gzip")) {
      (refuses(params) ? by_name_refused : by_name) = true;
    } else if (coding == "*") {
      by_star = !refuses(params);
    }
  }
  // A coding named outright wins over the wildcard.
  return by_name || (by_star && !by_name_refused);
}

std::string gzip(std::string_view body) {
  z_stream z{};
  // 15 window bits + 16: a gzip header and trailer instead of zlib's.
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::bad_alloc();
  }
  std::string out(deflateBound(&z, static_cast<uLong>(body.size())), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(body.data()));
  z.avail_in = static_cast<uInt>(body.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) {
    // deflateBound is a true bound for one Z_FINISH call; anything else is a zlib defect.
    throw std::logic_error("gzip: deflate did not finish within deflateBound");
  }
  return out;
}

}  // namespace rosterd::http
