#include "setup/vault_keys.hpp"

namespace rosterd::setup {
namespace {

constexpr std::string_view credential_prefix = "credential:";

base::result<vault::keyring> load_keyring(const secret_file& ref) {
  if (ref.reference.rfind(credential_prefix, 0) == 0) {
    return vault::keyring::load_credential(ref.reference.substr(credential_prefix.size()));
  }
  return vault::keyring::load_file(ref.resolved);
}

}  // namespace

base::result<std::shared_ptr<const vault::keyring>> load_vault_keys(const config& c) {
  if (c.vault.key_file.empty()) {
    return std::shared_ptr<const vault::keyring>();
  }
  auto loaded = load_keyring(c.vault.key_file);
  if (!loaded) {
    return loaded.error();
  }
  return std::make_shared<const vault::keyring>(std::move(*loaded));
}

}  // namespace rosterd::setup
