// gzip for large answers: which Accept-Encoding values accept it, and that what we send
// inflates back to the body.

#include "http/compression.hpp"

#include <catch2/catch.hpp>

#include "tests/support/gunzip.hpp"

using rosterd::http::accepts_gzip;
using rosterd::testing::gunzip;

TEST_CASE("Accept-Encoding values that accept gzip and those that do not", "[compression]") {
  CHECK(accepts_gzip("gzip"));
  CHECK(accepts_gzip("gzip, deflate, br"));
  CHECK(accepts_gzip("br;q=1.0, GZIP;q=0.5"));
  CHECK(accepts_gzip("x-gzip"));
  CHECK(accepts_gzip("*"));
  CHECK(accepts_gzip(" deflate , gzip ; q=0.001"));
  CHECK_FALSE(accepts_gzip(""));
  CHECK_FALSE(accepts_gzip("identity"));
  CHECK_FALSE(accepts_gzip("deflate, br"));
  CHECK_FALSE(accepts_gzip("gzip;q=0"));
  CHECK_FALSE(accepts_gzip("gzip; q=0.000"));
  CHECK_FALSE(accepts_gzip("*;q=0"));
  CHECK_FALSE(
      accepts_gzip("gzip;q=0, *"));  // named outright, refused: the wildcard does not undo it
  CHECK_FALSE(accepts_gzip("gzipped"));
}

TEST_CASE("a gzipped body inflates back to itself and is much smaller for JSON", "[compression]") {
  std::string json = "{\"items\":[";
  for (int i = 0; i < 200; ++i) {
    json += "{\"connection_id\":\"con_" + std::to_string(100000 + i) +
            "\",\"status\":\"connected\",\"reason\":\"Connected.\"},";
  }
  json += "{}]}";
  const auto packed = rosterd::http::gzip(json);
  CHECK(packed.size() < json.size() / 4);
  CHECK(static_cast<unsigned char>(packed[0]) == 0x1f);  // the gzip magic
  CHECK(static_cast<unsigned char>(packed[1]) == 0x8b);
  CHECK(gunzip(packed) == json);
  CHECK(gunzip(rosterd::http::gzip("")).empty());
}
