# Every dependency comes from a Debian 12 package; scripts/install-deps lists them.
find_package(Threads REQUIRED)
# Boost 1.81 (libboost1.81-all-dev), not the 1.74 default: Beast's coroutine support needs it.
find_package(Boost 1.81.0 EXACT REQUIRED CONFIG COMPONENTS system)
find_package(OpenSSL 3 REQUIRED)
find_package(nlohmann_json 3.11 REQUIRED)
find_package(spdlog 1.10 REQUIRED)
find_package(CLI11 REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(SQLITE3 REQUIRED IMPORTED_TARGET sqlite3)
pkg_check_modules(SYSTEMD REQUIRED IMPORTED_TARGET libsystemd)
pkg_check_modules(TOMLPP REQUIRED IMPORTED_TARGET tomlplusplus)
# Argon2id password hashing (libargon2-dev), the reference implementation.
pkg_check_modules(ARGON2 REQUIRED IMPORTED_TARGET libargon2)
# SMTP delivery (libcurl4-openssl-dev): STARTTLS, AUTH and reply codes without our own SMTP.
find_package(CURL 7.88 REQUIRED)
# gzip for large answers (zlib1g-dev): the reference deflate, already under libcurl and Boost.
find_package(ZLIB 1.2.13 REQUIRED)
# Mustache templates (libkainjow-mustache-dev, header-only): libmstch-dev pulls Boost 1.74.
find_path(KAINJOW_MUSTACHE_INCLUDE_DIR kainjow/mustache.hpp REQUIRED)
# IANA time zones (libhowardhinnant-date-dev): Howard Hinnant's date/tz reading the system
# tzdata (its date::date-tz target carries USE_OS_TZDB=1); g++ 12's libstdc++ has no
# std::chrono::tzdb yet.
find_package(date 3 REQUIRED CONFIG)
if(ROSTERD_BUILD_TESTS)
  find_package(Catch2 2 REQUIRED)
endif()
