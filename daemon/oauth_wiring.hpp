#pragma once
// [vault] and [oauth] into running parts: the keyring (checked against the database's
// key-check values before anything is written), the resolved providers and the HTTPS client.

#include <memory>

#include <spdlog/logger.h>

#include "daemon/api/oauth_services.hpp"
#include "daemon/config.hpp"
#include "store/store.hpp"

namespace rosterd::daemon {

/// Loads the vault key and checks it: every configured version whose check value the database
/// knows must match (check_value_mismatch otherwise), and no stored ciphertext may use a
/// version the key file lacks (unknown_key_version). New versions' check values are recorded.
/// Without [vault] key_file: fails when the database already holds ciphertext; else null.
base::result<std::shared_ptr<const vault::keyring>> open_vault(const config& c, store::store& db);

/// The providers and their client, or null when none is enabled. Fails (a config problem)
/// when a provider's settings do not resolve or a client secret cannot be read.
base::result<std::shared_ptr<api::oauth_services>> make_oauth_services(
    const config& c, std::shared_ptr<const vault::keyring> keys);

}  // namespace rosterd::daemon
