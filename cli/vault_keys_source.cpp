#include "cli/vault_keys_source.hpp"

#include <cstdlib>

#include "setup/vault_keys.hpp"
#include "store/error.hpp"
#include "vault/error.hpp"

namespace rosterd::cli {

base::result<std::shared_ptr<const vault::keyring>> load_cli_keys(
    const setup::config& cfg, const std::optional<std::filesystem::path>& key_file) {
  if (key_file) {
    auto loaded = vault::keyring::load_file(*key_file);
    if (!loaded) {
      return loaded.error();
    }
    return std::make_shared<const vault::keyring>(std::move(*loaded));
  }
  if (cfg.vault.key_file.empty()) {
    return base::fail(vault::errc::no_keys,
                      "no vault key file: set [vault] key_file in the config (--config) or pass "
                      "--key-file");
  }
  const auto* credentials = std::getenv("CREDENTIALS_DIRECTORY");
  if (cfg.vault.key_file.reference.rfind("credential:", 0) == 0 &&
      (credentials == nullptr || *credentials == '\0')) {
    return base::fail(vault::errc::key_file_missing,
                      "[vault] key_file is " + cfg.vault.key_file.reference +
                          ", a systemd credential: run under `systemd-run --pipe --wait -p "
                          "LoadCredentialEncrypted=...` with the daemon's credential, or pass "
                          "--key-file");
  }
  return setup::load_vault_keys(cfg);
}

base::result<void> require_database(const setup::config& cfg) {
  std::error_code ec;
  if (!std::filesystem::exists(cfg.store.path, ec)) {
    return base::fail(store::errc::not_found, "database " + cfg.store.path.string() +
                                                  " does not exist (check --config or --database)");
  }
  return {};
}

}  // namespace rosterd::cli
