#pragma once
// What the keys commands share: the key file they use (like the daemon's, unless --key-file
// says otherwise) and the database it must exist in.

#include <filesystem>
#include <memory>
#include <optional>

#include "base/failure.hpp"
#include "setup/config.hpp"
#include "vault/keyring.hpp"

namespace rosterd::cli {

/// --key-file when given, else the config's [vault] key_file. Fails when neither is set, and
/// when the config names a systemd credential outside the service (the message says to pass
/// --key-file or run under systemd-run with the credential).
base::result<std::shared_ptr<const vault::keyring>> load_cli_keys(
    const setup::config& cfg, const std::optional<std::filesystem::path>& key_file);

/// Fails (not_found) when the config's database does not exist: these commands never create
/// one, since a mistyped path would then look like an empty, fully rotated database.
base::result<void> require_database(const setup::config& cfg);

}  // namespace rosterd::cli
