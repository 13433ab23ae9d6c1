#pragma once
// [vault] and [oauth] into running parts: the keyring (checked against the database's
// key-check values before anything is written), the resolved providers and the HTTPS client.

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include <spdlog/logger.h>

#include "setup/config.hpp"
#include "setup/oauth_services.hpp"
#include "store/store.hpp"
#include "vault/key_holder.hpp"

namespace rosterd::setup {

/// Loads the vault key and checks it: every configured version whose check value the database
/// knows must match (check_value_mismatch otherwise), and no stored ciphertext may use a
/// version the key file lacks (unknown_key_version). New versions' check values are recorded.
/// Without [vault] key_file: fails when the database already holds ciphertext; else null.
base::result<std::shared_ptr<const vault::keyring>> open_vault(const config& c, store::store& db);

/// What a successful reload_vault() installed (for the log: versions only, no key material).
struct vault_reload {
  std::vector<std::uint32_t> versions;
  std::uint32_t sealing_version = 0;
  bool memory_locked = true;
};

/// SIGHUP: re-reads [vault] key_file and checks it against the database as open_vault does
/// (recording new versions' check values); only then does `holder` get the new keyring, so new
/// seals use its newest version while operations already running finish with the old one. On
/// any failure (unreadable file, changed key, a version removed while stored values still use
/// it) `holder` keeps the old keyring. nullopt when no key file is configured.
base::result<std::optional<vault_reload>> reload_vault(const config& c, store::store& db,
                                                       vault::key_holder& holder);

/// The providers and their client, or null when none is enabled. Fails (a config problem)
/// when a provider's settings do not resolve or a client secret cannot be read.
base::result<std::shared_ptr<oauth_services>> make_oauth_services(
    const config& c, std::shared_ptr<const vault::keyring> keys);

}  // namespace rosterd::setup
