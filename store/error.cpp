#include "store/error.hpp"

#include <string>

namespace rosterd::store {
namespace {

class category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "store"; }

  std::string message(int value) const override {
    switch (static_cast<errc>(value)) {
      case errc::busy:
        return "database is busy";
      case errc::constraint:
        return "constraint violated";
      case errc::full:
        return "disk is full";
      case errc::corrupt:
        return "database file is corrupt or not a database";
      case errc::io:
        return "database I/O error";
      case errc::readonly:
        return "database is read-only";
      case errc::not_found:
        return "not found";
      case errc::open_failed:
        return "cannot open database";
      case errc::schema_too_new:
        return "database schema is newer than this build";
      case errc::migration_failed:
        return "schema migration failed";
      case errc::invalid_migrations:
        return "invalid set of migrations";
      case errc::backup_failed:
        return "backup failed";
      case errc::misuse:
        return "database API misuse";
      case errc::sqlite_error:
        return "database error";
    }
    return "unknown store error";
  }
};

}  // namespace

const std::error_category& store_category() noexcept {
  static const category instance;
  return instance;
}

std::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), store_category()};
}

std::string_view errc_name(errc e) noexcept {
  switch (e) {
    case errc::busy:
      return "busy";
    case errc::constraint:
      return "constraint";
    case errc::full:
      return "full";
    case errc::corrupt:
      return "corrupt";
    case errc::io:
      return "io";
    case errc::readonly:
      return "readonly";
    case errc::not_found:
      return "not_found";
    case errc::open_failed:
      return "open_failed";
    case errc::schema_too_new:
      return "schema_too_new";
    case errc::migration_failed:
      return "migration_failed";
    case errc::invalid_migrations:
      return "invalid_migrations";
    case errc::backup_failed:
      return "backup_failed";
    case errc::misuse:
      return "misuse";
    case errc::sqlite_error:
      return "sqlite_error";
  }
  return "unknown";
}

}  // namespace rosterd::store
