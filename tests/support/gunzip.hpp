#pragma once
// Inflates a gzip member, for tests that check what the daemon sent compressed.

#include <stdexcept>
#include <string>
#include <zlib.h>

namespace rosterd::testing {

inline std::string gunzip(const std::string& data) {
  z_stream z{};
  if (inflateInit2(&z, 15 + 16) != Z_OK) {
    throw std::runtime_error("inflateInit2 failed");
  }
  std::string out;
  char chunk[4096];
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  int rc = Z_OK;
  while (rc == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(chunk);
    z.avail_out = sizeof chunk;
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(chunk, sizeof chunk - z.avail_out);
  }
  inflateEnd(&z);
  if (rc != Z_STREAM_END) {
    throw std::runtime_error("not a complete gzip member");
  }
  return out;
}

}  // namespace rosterd::testing
