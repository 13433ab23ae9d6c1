#pragma once
// The vault keyring [vault] key_file names, for both front ends (lifecycle/key_checks.hpp
// checks it against the database).

#include <memory>

#include "base/failure.hpp"
#include "setup/config.hpp"
#include "vault/keyring.hpp"

namespace rosterd::setup {

/// The keyring [vault] key_file names (a path, or credential:NAME), or null when it is not set.
/// Details name the file, never key material.
base::result<std::shared_ptr<const vault::keyring>> load_vault_keys(const config& c);

}  // namespace rosterd::setup
