// Key files and systemd credentials: reading, checking and parsing them into a keyring, and
// generating new key lines. Error details name the file and the line, never what is on it: a
// line whose fields are swapped or mistyped may hold a key.

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <map>
#include <stdexcept>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "vault/base64.hpp"
#include "vault/error.hpp"
#include "vault/keyring.hpp"

namespace rosterd::vault {
namespace {

constexpr std::string_view key_file_help =
    "each key line is \"<version> <key>\": a version from 1 to 4294967295 and 32 random bytes in "
    "base64, e.g. from: printf '1 %s\\n' \"$(openssl rand -base64 32)\"";

bool is_blank(char c) {
  return c == ' ' || c == '\t';
}

// The fields of a line up to a field that starts a comment.
std::vector<std::string_view> fields_of(std::string_view line) {
  std::vector<std::string_view> fields;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && is_blank(line[i])) {
      ++i;
    }
    if (i == line.size() || line[i] == '#') {
      break;
    }
    const std::size_t start = i;
    while (i < line.size() && !is_blank(line[i])) {
      ++i;
    }
    fields.push_back(line.substr(start, i - start));
  }
  return fields;
}

std::optional<std::uint32_t> parse_version(std::string_view text) {
  if (text.empty() || text.size() > 10) {
    return std::nullopt;
  }
  std::uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') {
      return std::nullopt;
    }
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (value == 0 || value > 0xffffffffULL) {
    return std::nullopt;
  }
  return static_cast<std::uint32_t>(value);
}

class fd_guard {
 public:
  explicit fd_guard(int fd) : fd_(fd) {}
  fd_guard(const fd_guard&) = delete;
  fd_guard& operator=(const fd_guard&) = delete;
  ~fd_guard() { ::close(fd_); }
  [[nodiscard]] int get() const { return fd_; }

 private:
  int fd_;
};

std::string os_error(int e) {
  return std::generic_category().message(e);
}

std::string octal_mode(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

// Whether `path` is a file directly in $CREDENTIALS_DIRECTORY: systemd creates those (read-only,
// owned by root with an ACL for the service's user, so group bits may show) and the permission
// rule for hand-made key files does not apply.
bool in_credentials_directory(const std::filesystem::path& path) {
  const char* dir = std::getenv("CREDENTIALS_DIRECTORY");
  if (dir == nullptr || *dir == '\0') {
    return false;
  }
  std::error_code ec;
  const auto credentials = std::filesystem::weakly_canonical(dir, ec);
  if (ec) {
    return false;
  }
  const auto parent = std::filesystem::weakly_canonical(std::filesystem::absolute(path, ec), ec);
  return !ec && parent.parent_path() == credentials;
}

}  // namespace

base::result<std::filesystem::path> credential_path(std::string_view name) {
  const std::string shown(name);
  const char* dir = std::getenv("CREDENTIALS_DIRECTORY");
  if (dir == nullptr || *dir == '\0') {
    return base::fail(errc::key_file_missing,
                      "credential \"" + shown +
                          "\" needs $CREDENTIALS_DIRECTORY, which systemd sets when the unit has "
                          "LoadCredential=" +
                          shown + ":... or LoadCredentialEncrypted=" + shown +
                          ":...; outside systemd give the key file's path instead");
  }
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string_view::npos ||
      name.find('\0') != std::string_view::npos) {
    return base::fail(errc::key_file_missing,
                      "\"" + shown + "\" is not a credential name (a file name without '/')");
  }
  std::filesystem::path path = std::filesystem::path(dir) / shown;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return base::fail(errc::key_file_missing, "credential \"" + shown + "\" not found: " +
                                                  path.string() + " does not exist (check " +
                                                  "LoadCredential=" + shown + ":... in the unit)");
  }
  return path;
}

base::secret generate_key_file_line(std::uint32_t version) {
  if (version == 0) {
    throw std::invalid_argument("key versions start at 1");
  }
  locked_bytes key(key_bytes);
  if (RAND_bytes(key.data(), static_cast<int>(key_bytes)) != 1) {
    std::abort();  // no key from a failing CSPRNG
  }
  std::string line;
  line.reserve(64);  // "4294967295 " + 44: never reallocates, so no copy is left behind
  line.append(std::to_string(version));
  line.push_back(' ');
  detail::base64_append(key.bytes(), line);
  return base::secret(std::move(line));
}

base::result<keyring> keyring::load_file(const std::filesystem::path& path) {
  const std::string name = path.string();
  const int fd = ::open(name.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) {
    const int e = errno;
    if (e == ENOENT || e == ENOTDIR) {
      return base::fail(errc::key_file_missing, "key file " + name + " does not exist");
    }
    return base::fail(errc::key_file_unreadable,
                      "cannot open key file " + name + ": " + os_error(e));
  }
  const fd_guard guard(fd);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    return base::fail(errc::key_file_unreadable,
                      "cannot stat key file " + name + ": " + os_error(errno));
  }
  if (!S_ISREG(st.st_mode)) {
    return base::fail(errc::key_file_unreadable, "key file " + name + " is not a regular file");
  }
  if ((st.st_mode & 077) != 0 && !in_credentials_directory(path)) {
    return base::fail(errc::key_file_unsafe,
                      "key file " + name + " is accessible to group or others (mode " +
                          octal_mode(st.st_mode) + "); run: chmod 600 " + name);
  }
  if (st.st_size < 0 || static_cast<std::uint64_t>(st.st_size) > max_key_file_bytes) {
    return base::fail(errc::key_file_invalid, "key file " + name + " is " +
                                                  std::to_string(st.st_size) +
                                                  " bytes; a key file holds a few lines (at most " +
                                                  std::to_string(max_key_file_bytes) + " bytes)");
  }
  // The text holds keys: it is read into locked memory that is wiped when this returns.
  locked_bytes text(static_cast<std::size_t>(st.st_size));
  std::size_t got = 0;
  while (got < text.size()) {
    const ssize_t n = ::read(fd, text.data() + got, text.size() - got);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      return base::fail(errc::key_file_unreadable,
                        "cannot read key file " + name + ": " + os_error(errno));
    }
    if (n == 0) {
      break;  // the file shrank since fstat
    }
    got += static_cast<std::size_t>(n);
  }
  return parse(std::string_view(reinterpret_cast<const char*>(text.data()), got), name);
}

base::result<keyring> keyring::load_credential(std::string_view name) {
  auto path = credential_path(name);
  if (!path) {
    return path.error();
  }
  return load_file(*path);
}

base::result<keyring> keyring::parse(std::string_view text, std::string_view origin) {
  struct pending {
    std::uint32_t version;
    std::size_t line;
    std::string_view key_text;
  };
  std::vector<pending> found;
  std::map<std::uint32_t, std::size_t> line_of_version;
  std::vector<std::pair<std::size_t, std::string>> problems;  // (line, what)

  std::size_t line_number = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) {
      end = text.size();
    }
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    const auto fields = fields_of(line);
    if (fields.empty()) {
      continue;
    }
    if (fields.size() != 2) {
      problems.emplace_back(line_number, "expected 2 fields, found " +
                                             std::to_string(fields.size()) + "; " +
                                             std::string(key_file_help));
      continue;
    }
    const auto version = parse_version(fields[0]);
    if (!version) {
      problems.emplace_back(line_number,
                            "the first field is not a key version (a whole number from 1 to "
                            "4294967295); " +
                                std::string(key_file_help));
      continue;
    }
    const auto size = detail::base64_decoded_size(fields[1]);
    if (!size) {
      problems.emplace_back(line_number,
                            "the key of version " + std::to_string(*version) +
                                " is not valid base64 (expected 44 characters of standard base64 "
                                "with '=' padding)");
      continue;
    }
    if (*size != key_bytes) {
      problems.emplace_back(line_number, "the key of version " + std::to_string(*version) + " is " +
                                             std::to_string(*size) +
                                             " bytes; an AES-256 key is 32 bytes (44 base64 "
                                             "characters)");
      continue;
    }
    if (const auto [it, inserted] = line_of_version.emplace(*version, line_number); !inserted) {
      problems.emplace_back(
          line_number, "key version " + std::to_string(*version) + " is already defined on line " +
                           std::to_string(it->second) + "; each version appears once");
      continue;
    }
    found.push_back({*version, line_number, fields[1]});
  }

  std::sort(found.begin(), found.end(),
            [](const pending& a, const pending& b) { return a.version < b.version; });
  locked_bytes keys(found.size() * key_bytes);
  std::vector<entry> entries;
  entries.reserve(found.size());
  static constexpr std::uint8_t zero_key[key_bytes] = {};
  for (std::size_t i = 0; i < found.size(); ++i) {
    std::uint8_t* key = keys.data() + i * key_bytes;
    detail::base64_decode(found[i].key_text, std::span<std::uint8_t>(key, key_bytes));
    if (CRYPTO_memcmp(key, zero_key, key_bytes) == 0) {
      problems.emplace_back(found[i].line, "the key of version " +
                                               std::to_string(found[i].version) +
                                               " is all zero bytes: a placeholder, not a key");
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (CRYPTO_memcmp(key, keys.data() + j * key_bytes, key_bytes) == 0) {
        problems.emplace_back(found[i].line, "key version " + std::to_string(found[i].version) +
                                                 " has the same key as version " +
                                                 std::to_string(found[j].version) + " (line " +
                                                 std::to_string(found[j].line) +
                                                 "); a new version needs a newly generated key");
        break;
      }
    }
    entries.push_back({found[i].version, i});
  }

  if (!problems.empty()) {
    std::stable_sort(problems.begin(), problems.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::string detail;
    for (const auto& [line, what] : problems) {
      detail += (detail.empty() ? "" : "\n") + std::string(origin) + ":" + std::to_string(line) +
                ": " + what;
    }
    return base::fail(errc::key_file_invalid, std::move(detail));
  }
  if (entries.empty()) {
    return base::fail(errc::no_keys, std::string(origin) +
                                         ": no keys, only comments and blank lines; " +
                                         std::string(key_file_help));
  }
  return keyring(std::move(keys), std::move(entries));
}

}  // namespace rosterd::vault
