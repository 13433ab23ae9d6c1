#pragma once
// Whether a vault key file agrees with the database: the key-check values it recorded for each
// version (reliability D37) and the key versions its stored ciphertext uses (D38). The daemon
// checks at start and on SIGHUP; rosterctl keys rotate/status check before they act.

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "base/failure.hpp"
#include "daemon/config.hpp"
#include "roster/clock.hpp"
#include "store/database.hpp"
#include "vault/keyring.hpp"

namespace rosterd::daemon {

/// The keyring [vault] key_file names (a path, or credential:NAME), or null when it is not set.
/// Details name the file, never key material.
base::result<std::shared_ptr<const vault::keyring>> load_vault_keys(const config& c);

/// The check value the database recorded for each key version it has seen.
base::result<std::map<std::uint32_t, std::string>> recorded_key_checks(store::database& db);

/// Whether to record the check values of versions the database has not seen yet.
enum class new_key_versions { record, leave };

/// Run inside a write transaction. Fails with check_value_mismatch when a configured version's
/// key differs from the one the database recorded, and with unknown_key_version (naming the
/// version and how many values use it) when stored ciphertext uses a version `keys` lacks.
/// `keys` null: fails (no_keys) when the database holds any ciphertext. Otherwise, with
/// `record`, stores the check values of versions seen for the first time.
base::result<void> check_vault_keys(store::database& db, const vault::keyring* keys,
                                    new_key_versions what, roster::time_point now);

}  // namespace rosterd::daemon
