#include "lifecycle/key_checks.hpp"

#include "lifecycle/key_rotation.hpp"
#include "store/sql.hpp"
#include "vault/error.hpp"

namespace rosterd::lifecycle {
namespace {

namespace sql = store::sql;

std::string values(std::uint64_t n) {
  return std::to_string(n) + (n == 1 ? " stored value" : " stored values");
}

}  // namespace

base::result<std::map<std::uint32_t, std::string>> recorded_key_checks(store::database& db) {
  std::map<std::uint32_t, std::string> known;
  auto read =
      sql::each(db, "SELECT version, check_value FROM vault_keys", [&](store::statement& s) {
        known[static_cast<std::uint32_t>(s.column_int64(0))] = s.column_text(1);
      });
  if (!read) {
    return read.error();
  }
  return known;
}

base::result<void> check_vault_keys(store::database& db, const vault::keyring* keys,
                                    new_key_versions what, roster::time_point now) {
  auto known = recorded_key_checks(db);
  if (!known) {
    return known.error();
  }
  auto in_use = count_key_versions(db);
  if (!in_use) {
    return in_use.error();
  }
  if (keys == nullptr) {
    if (in_use->total() != 0) {
      return base::fail(vault::errc::no_keys,
                        "the database holds tokens sealed with the vault key, but [vault] "
                        "key_file is not set: configure the key file they were sealed with");
    }
    return {};
  }
  for (const auto& [version, check_value] : *known) {
    if (keys->has_version(version)) {
      if (auto ok = keys->verify_check_value(version, check_value); !ok) {
        return base::fail(vault::errc::check_value_mismatch,
                          "vault key version " + std::to_string(version) +
                              " is not the key this database was sealed with: restore the right "
                              "key file (nothing was written)");
      }
    }
  }
  for (const auto& [version, count] : in_use->by_version) {
    if (!keys->has_version(version)) {
      return base::fail(vault::errc::unknown_key_version,
                        "vault key version " + std::to_string(version) + " still seals " +
                            values(count) +
                            ", but the key file does not have it: add it back (it can be retired "
                            "once `rosterctl keys rotate` has moved every value)");
    }
  }
  if (what == new_key_versions::leave) {
    return {};
  }
  for (const auto version : keys->versions()) {
    if (known->count(version) == 0) {
      auto value = keys->check_value(version);
      if (!value) {
        return value.error();
      }
      auto added = sql::run(
          db, "INSERT INTO vault_keys (version, check_value, first_seen_at) VALUES (?, ?, ?)",
          static_cast<std::int64_t>(version), *value, roster::stamp(now));
      if (!added) {
        return added;
      }
    }
  }
  return {};
}

}  // namespace rosterd::lifecycle
