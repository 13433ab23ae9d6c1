#pragma once
// Whether a vault keyring agrees with the database: the key-check value it recorded for each
// key version (so a wrong key file is refused before anything is sealed with it) and the key
// versions its stored ciphertext uses (so a version still in use is never dropped). The daemon
// checks at start and on SIGHUP; rosterctl keys rotate/status check before they act.

#include <cstdint>
#include <map>
#include <string>

#include "base/failure.hpp"
#include "roster/clock.hpp"
#include "store/database.hpp"
#include "vault/keyring.hpp"

namespace rosterd::lifecycle {

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

}  // namespace rosterd::lifecycle
