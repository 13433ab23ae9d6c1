// Sealing and opening: AES-256-GCM through OpenSSL's EVP interface, key-check values.
// Loading and parsing key files is in key_file.cpp.

#include "vault/keyring.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <new>
#include <stdexcept>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "vault/error.hpp"

namespace rosterd::vault {
namespace {

constexpr std::string_view check_label = "rosterd vault key check v1";

struct cipher_ctx_free {
  void operator()(EVP_CIPHER_CTX* ctx) const noexcept { EVP_CIPHER_CTX_free(ctx); }
};
using cipher_ctx = std::unique_ptr<EVP_CIPHER_CTX, cipher_ctx_free>;

struct cipher_free {
  void operator()(EVP_CIPHER* cipher) const noexcept { EVP_CIPHER_free(cipher); }
};

// Fetched once: EVP_aes_256_gcm() would make OpenSSL 3 look the implementation up in the
// provider on every init. A fetched EVP_CIPHER is immutable and may be shared by threads.
const EVP_CIPHER* aes_256_gcm() {
  static const std::unique_ptr<EVP_CIPHER, cipher_free> cipher(
      EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr));
  if (!cipher) {
    throw std::runtime_error("OpenSSL provides no AES-256-GCM");
  }
  return cipher.get();
}

cipher_ctx new_context() {
  cipher_ctx ctx(EVP_CIPHER_CTX_new());
  if (!ctx) {
    throw std::bad_alloc();
  }
  return ctx;
}

void put_u32(std::uint8_t* out, std::uint32_t value) {
  out[0] = static_cast<std::uint8_t>(value >> 24);
  out[1] = static_cast<std::uint8_t>(value >> 16);
  out[2] = static_cast<std::uint8_t>(value >> 8);
  out[3] = static_cast<std::uint8_t>(value);
}

std::uint32_t get_u32(const std::uint8_t* in) {
  return (std::uint32_t{in[0]} << 24) | (std::uint32_t{in[1]} << 16) | (std::uint32_t{in[2]} << 8) |
         std::uint32_t{in[3]};
}

void check_field(std::string_view field, const char* name) {
  if (field.empty()) {
    throw std::invalid_argument(std::string("vault binding with an empty ") + name);
  }
  if (field.size() > std::numeric_limits<std::uint32_t>::max()) {
    throw std::invalid_argument(std::string("vault binding with an oversized ") + name);
  }
}

std::uint8_t* put_field(std::uint8_t* out, std::string_view field) {
  put_u32(out, static_cast<std::uint32_t>(field.size()));
  std::memcpy(out + 4, field.data(), field.size());
  return out + 4 + field.size();
}

void check_binding(const binding& where) {
  check_field(where.table, "table");
  check_field(where.row_id, "row id");
  check_field(where.column, "column");
}

// header || u32 len || table || u32 len || row_id || u32 len || column (see keyring.hpp).
// `where` has passed check_binding.
std::vector<std::uint8_t> associated_data(const std::uint8_t* header, const binding& where) {
  std::vector<std::uint8_t> ad(header_bytes + 3 * 4 + where.table.size() + where.row_id.size() +
                               where.column.size());
  std::memcpy(ad.data(), header, header_bytes);
  std::uint8_t* out = ad.data() + header_bytes;
  out = put_field(out, where.table);
  out = put_field(out, where.row_id);
  put_field(out, where.column);
  return ad;
}

// "creator_tokens.refresh_token of row cre_123": names the place, never the content.
std::string place(const binding& where) {
  return std::string(where.table) + "." + std::string(where.column) + " of row " +
         std::string(where.row_id);
}

int as_int(std::size_t n) {
  // Callers bound n by max_plaintext_bytes (+ small constants), far below INT_MAX.
  return static_cast<int>(n);
}

const unsigned char* as_uchar(std::string_view text) {
  return reinterpret_cast<const unsigned char*>(text.data());
}

}  // namespace

namespace detail {

void fresh_nonce(std::span<std::uint8_t, nonce_bytes> nonce) {
  if (RAND_bytes(nonce.data(), static_cast<int>(nonce.size())) != 1) {
    std::abort();  // a guessable or repeated nonce under GCM gives the key away: no fallback
  }
}

}  // namespace detail

std::optional<std::uint32_t> key_version_of(std::span<const std::uint8_t> sealed) {
  if (sealed.size() < overhead_bytes || sealed[0] != format_v1) {
    return std::nullopt;
  }
  return get_u32(sealed.data() + 1);
}

keyring::keyring(locked_bytes keys, std::vector<entry> entries)
    : keys_(std::move(keys)), entries_(std::move(entries)) {}

std::uint32_t keyring::current_version() const noexcept {
  return entries_.back().version;
}

std::vector<std::uint32_t> keyring::versions() const {
  std::vector<std::uint32_t> out;
  out.reserve(entries_.size());
  for (const auto& e : entries_) {
    out.push_back(e.version);
  }
  return out;
}

bool keyring::has_version(std::uint32_t version) const noexcept {
  return key_of(version) != nullptr;
}

const std::uint8_t* keyring::key_of(std::uint32_t version) const noexcept {
  const auto it = std::lower_bound(entries_.begin(), entries_.end(), version,
                                   [](const entry& e, std::uint32_t v) { return e.version < v; });
  if (it == entries_.end() || it->version != version) {
    return nullptr;
  }
  return keys_.data() + it->slot * key_bytes;
}

base::result<std::vector<std::uint8_t>> keyring::seal(std::string_view plaintext,
                                                      const binding& where) const {
  check_binding(where);
  if (plaintext.size() > max_plaintext_bytes) {
    return base::fail(errc::plaintext_too_large,
                      "a value of " + std::to_string(plaintext.size()) + " bytes for " +
                          place(where) + "; the vault seals at most " +
                          std::to_string(max_plaintext_bytes) + " bytes");
  }
  const std::uint32_t version = current_version();
  const std::uint8_t* key = key_of(version);
  std::vector<std::uint8_t> out(sealed_size(plaintext.size()));
  out[0] = format_v1;
  put_u32(out.data() + 1, version);
  std::uint8_t* nonce = out.data() + header_bytes;
  detail::fresh_nonce(std::span<std::uint8_t, nonce_bytes>(nonce, nonce_bytes));
  const auto ad = associated_data(out.data(), where);
  std::uint8_t* ciphertext = nonce + nonce_bytes;
  std::uint8_t* tag = ciphertext + plaintext.size();

  const cipher_ctx ctx = new_context();
  int written = 0;
  int final_written = 0;
  unsigned char final_block[16];
  const bool ok =
      EVP_EncryptInit_ex2(ctx.get(), aes_256_gcm(), key, nonce, nullptr) == 1 &&
      EVP_EncryptUpdate(ctx.get(), nullptr, &written, ad.data(), as_int(ad.size())) == 1 &&
      (plaintext.empty() || (EVP_EncryptUpdate(ctx.get(), ciphertext, &written, as_uchar(plaintext),
                                               as_int(plaintext.size())) == 1 &&
                             written == as_int(plaintext.size()))) &&
      EVP_EncryptFinal_ex(ctx.get(), final_block, &final_written) == 1 && final_written == 0 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_GET_TAG, as_int(tag_bytes), tag) == 1;
  if (!ok) {
    // Not an expected failure: OpenSSL cannot run AES-GCM (out of memory, broken provider).
    throw std::runtime_error("AES-256-GCM encryption failed inside OpenSSL");
  }
  return out;
}

base::result<base::secret> keyring::open(std::span<const std::uint8_t> sealed,
                                         const binding& where) const {
  check_binding(where);
  if (sealed.size() < overhead_bytes) {
    return base::fail(errc::malformed_ciphertext,
                      "sealed value in " + place(where) + " is " + std::to_string(sealed.size()) +
                          " bytes; format 1 has at least " + std::to_string(overhead_bytes));
  }
  if (sealed[0] != format_v1) {
    return base::fail(errc::malformed_ciphertext,
                      "sealed value in " + place(where) + " has format byte " +
                          std::to_string(sealed[0]) + "; this rosterd reads format " +
                          std::to_string(format_v1));
  }
  if (sealed.size() > sealed_size(max_plaintext_bytes)) {
    return base::fail(errc::malformed_ciphertext, "sealed value in " + place(where) + " is " +
                                                      std::to_string(sealed.size()) +
                                                      " bytes, more than the vault ever seals");
  }
  const std::uint32_t version = get_u32(sealed.data() + 1);
  const std::uint8_t* key = key_of(version);
  if (key == nullptr) {
    std::string held;
    for (const auto& e : entries_) {
      held += (held.empty() ? "" : ", ") + std::to_string(e.version);
    }
    return base::fail(errc::unknown_key_version,
                      "sealed value in " + place(where) + " is under key version " +
                          std::to_string(version) + ", which the key file does not hold (it has " +
                          held + ")");
  }
  const std::uint8_t* nonce = sealed.data() + header_bytes;
  const std::uint8_t* ciphertext = nonce + nonce_bytes;
  const std::size_t size = sealed.size() - overhead_bytes;
  const std::uint8_t* tag = ciphertext + size;
  const auto ad = associated_data(sealed.data(), where);

  std::string plaintext(size, '\0');
  const cipher_ctx ctx = new_context();
  int written = 0;
  unsigned char tag_copy[tag_bytes];
  std::copy(tag, tag + tag_bytes, tag_copy);  // the ctrl takes a non-const pointer
  const bool set_up =
      EVP_DecryptInit_ex2(ctx.get(), aes_256_gcm(), key, nonce, nullptr) == 1 &&
      EVP_DecryptUpdate(ctx.get(), nullptr, &written, ad.data(), as_int(ad.size())) == 1 &&
      (size == 0 ||
       (EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(plaintext.data()), &written,
                          ciphertext, as_int(size)) == 1 &&
        written == as_int(size))) &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_TAG, as_int(tag_bytes), tag_copy) == 1;
  if (!set_up) {
    OPENSSL_cleanse(plaintext.data(), plaintext.size());
    throw std::runtime_error("AES-256-GCM decryption failed inside OpenSSL");
  }
  unsigned char final_block[16];
  int final_written = 0;
  if (EVP_DecryptFinal_ex(ctx.get(), final_block, &final_written) != 1 || final_written != 0) {
    // The bytes decrypted so far are unauthenticated: wipe them, say nothing about them.
    OPENSSL_cleanse(plaintext.data(), plaintext.size());
    return base::fail(errc::decrypt_failed,
                      "sealed value in " + place(where) +
                          " does not authenticate under key version " + std::to_string(version) +
                          ": altered, copied from another row, column or table, or sealed with a "
                          "different key of that version");
  }
  return base::secret(std::move(plaintext));
}

base::result<std::optional<std::vector<std::uint8_t>>> keyring::rewrap(
    std::span<const std::uint8_t> sealed, const binding& where) const {
  using rewrapped = std::optional<std::vector<std::uint8_t>>;
  check_binding(where);
  if (const auto version = key_version_of(sealed); version && *version == current_version()) {
    return rewrapped();
  }
  auto plaintext = open(sealed, where);
  if (!plaintext) {
    return plaintext.error();
  }
  auto resealed = seal(plaintext->reveal(), where);
  if (!resealed) {
    return resealed.error();
  }
  return rewrapped(std::move(*resealed));
}

base::result<std::string> keyring::check_value(std::uint32_t version) const {
  const std::uint8_t* key = key_of(version);
  if (key == nullptr) {
    return base::fail(errc::unknown_key_version,
                      "no key of version " + std::to_string(version) + " in the key file");
  }
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_size = 0;
  if (HMAC(EVP_sha256(), key, static_cast<int>(key_bytes), as_uchar(check_label),
           check_label.size(), mac, &mac_size) == nullptr ||
      mac_size != 32) {
    throw std::runtime_error("HMAC-SHA256 failed inside OpenSSL");
  }
  static constexpr char digits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * mac_size);
  for (unsigned int i = 0; i < mac_size; ++i) {
    hex.push_back(digits[mac[i] >> 4]);
    hex.push_back(digits[mac[i] & 0x0f]);
  }
  return hex;
}

base::result<void> keyring::verify_check_value(std::uint32_t version,
                                               std::string_view stored) const {
  auto expected = check_value(version);
  if (!expected) {
    return expected.error();
  }
  if (stored.size() != expected->size() ||
      CRYPTO_memcmp(stored.data(), expected->data(), expected->size()) != 0) {
    return base::fail(errc::check_value_mismatch,
                      "key version " + std::to_string(version) +
                          " in the key file is not the key this database was encrypted with "
                          "(its check value differs): a wrong key file, or the key of that "
                          "version was replaced instead of adding a new version");
  }
  return {};
}

}  // namespace rosterd::vault
