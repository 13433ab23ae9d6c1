#pragma once
// Shared helpers for the notify tests (unit and integration): a migrated store in a temporary
// directory, queuing a message, reading a row back with its bodies, and just enough MIME
// decoding to check what a mail server received.

#include <chrono>
#include <cstdlib>
#include <future>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <catch2/catch.hpp>
#include <spdlog/sinks/stdout_sinks.h>

#include "notify/outbox.hpp"
#include "notify/relay.hpp"
#include "store/store.hpp"
#include "store/transaction.hpp"
#include "tests/support/catch_result.hpp"
#include "tests/support/process.hpp"

namespace rosterd::notify::testing {

using rosterd::testing::temp_directory;

inline std::unique_ptr<store::store> open_store(const temp_directory& dir,
                                                base::metrics::registry* metrics = nullptr) {
  auto opened = store::store::open({.path = dir / "rosterd.db", .metrics = metrics}, nullptr);
  REQUIRE(opened);
  return std::move(*opened);
}

inline email_message sample_message(std::string key, std::string recipient = "ada@example.org") {
  return email_message{.idempotency_key = std::move(key),
                       .account_id = std::nullopt,
                       .recipient = std::move(recipient),
                       .template_name = "creator_invitation",
                       .subject = "Northlight invited you",
                       .text_body = "Accept: https://rosterd.test/invite/one-time-token\n",
                       .html_body =
                           "<p><a href=\"https://rosterd.test/invite/one-time-token\">"
                           "Accept</a></p>\n",
                       .ref_kind = "invitation",
                       .ref_id = "inv_1"};
}

/// Queues `message` in its own committed transaction; returns the id.
inline std::string enqueue(store::store& s, const email_message& message,
                           time_point now = std::chrono::system_clock::now()) {
  return s.write_now([&](store::database& db) {
    auto tx = store::transaction::begin(db);
    REQUIRE(tx);
    auto id = enqueue_email(db, message, now, "rosterd.test");
    REQUIRE(id);
    REQUIRE(tx->commit());
    return *id;
  });
}

/// The row with its bodies (find_outbox_row never reads them).
inline outbox_row read_row(store::store& s, const std::string& id) {
  return s.read_now([&](store::database& db) {
    auto row = find_outbox_row(db, id);
    REQUIRE(row);
    auto st = db.prepare("SELECT text_body, html_body FROM outbox WHERE id = ?1").value();
    st.bind_all(id);
    REQUIRE(st.step().value());
    if (!st.column_is_null(0)) {
      row->text_body = st.column_text(0);
    }
    if (!st.column_is_null(1)) {
      row->html_body = st.column_text(1);
    }
    return *row;
  });
}

/// Waits until `condition()` holds, checking every 20 ms; false after `timeout`.
template <class Condition>
bool eventually(Condition condition, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

/// Whether `f` is ready within `limit`: generous, so it fails only when something hangs.
template <class T>
bool ready_within(std::future<T>& f, std::chrono::seconds limit = std::chrono::seconds(60)) {
  return f.wait_for(limit) == std::future_status::ready;
}

/// The relay's log on stderr when ROSTERD_TEST_LOG is set (for debugging a test), else none.
inline std::shared_ptr<spdlog::logger> test_logger() {
  if (std::getenv("ROSTERD_TEST_LOG") == nullptr) {
    return nullptr;
  }
  return std::make_shared<spdlog::logger>("notify",
                                          std::make_shared<spdlog::sinks::stderr_sink_mt>());
}

/// A relay running on an io_context thread of its own; stopped and joined on destruction.
class relay_runner {
 public:
  relay_runner(store::store& s, email_sender& sender, relay_settings settings,
               relay_hooks hooks = {}, base::metrics::registry* metrics = nullptr)
      : relay_(io_.get_executor(), s, sender, std::move(settings), std::move(hooks), test_logger(),
               metrics) {
    relay_.start();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~relay_runner() { stop(); }
  relay_runner(const relay_runner&) = delete;
  relay_runner& operator=(const relay_runner&) = delete;

  relay& get() { return relay_; }
  /// co_await relay::stop(abort_at) on the relay's own event loop.
  std::future<void> stop_async(
      std::optional<std::chrono::steady_clock::time_point> abort_at = std::nullopt) {
    return boost::asio::co_spawn(io_, relay_.stop(abort_at), boost::asio::use_future);
  }
  void stop() {
    relay_.request_stop();
    if (thread_.joinable()) {
      thread_.join();
    }
  }

 private:
  boost::asio::io_context io_;
  relay relay_;
  std::thread thread_;
};

/// Fast settings for tests: one-second backoff, no jitter.
inline relay_settings quick_settings() {
  relay_settings s;
  s.retry.initial_backoff = std::chrono::seconds(1);
  s.retry.max_backoff = std::chrono::seconds(2);
  s.retry.jitter = 0;
  s.lease = std::chrono::seconds(60);
  s.poll_interval = std::chrono::milliseconds(200);
  s.stop_grace = std::chrono::milliseconds(200);
  return s;
}

// MIME, only as far as the tests need it.

inline std::string decode_base64(std::string_view text) {
  std::string out;
  unsigned int buffer = 0;
  int bits = 0;
  for (const char c : text) {
    int v = -1;
    if (c >= 'A' && c <= 'Z') {
      v = c - 'A';
    } else if (c >= 'a' && c <= 'z') {
      v = c - 'a' + 26;
    } else if (c >= '0' && c <= '9') {
      v = c - '0' + 52;
    } else if (c == '+') {
      v = 62;
    } else if (c == '/') {
      v = 63;
    } else {
      continue;
    }
    buffer = (buffer << 6) | static_cast<unsigned int>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xFFu);
    }
  }
  return out;
}

/// Quoted-printable to bytes; hard line breaks come out as "\n".
inline std::string decode_quoted_printable(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '=' && text.substr(i + 1, 2) == "\r\n") {
      i += 2;  // soft line break
    } else if (text[i] == '=' && i + 2 < text.size()) {
      out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else if (text.substr(i, 2) == "\r\n") {
      out += '\n';
      ++i;
    } else {
      out += text[i];
    }
  }
  return out;
}

/// The unfolded value of header `name` in `message` (first occurrence), or "".
inline std::string header_value(std::string_view message, std::string_view name) {
  const auto end_of_headers = message.find("\r\n\r\n");
  const auto headers = message.substr(0, end_of_headers + 2);
  const std::string key = "\r\n" + std::string(name) + ": ";
  const std::string all = "\r\n" + std::string(headers);
  const auto at = all.find(key);
  if (at == std::string::npos) {
    return {};
  }
  std::string value;
  auto pos = at + key.size();
  for (;;) {
    const auto eol = all.find("\r\n", pos);
    value += all.substr(pos, eol - pos);
    if (eol + 2 < all.size() && (all[eol + 2] == ' ' || all[eol + 2] == '\t')) {
      pos = eol + 2;  // folded: the line break goes, the whitespace stays
      continue;
    }
    return value;
  }
}

/// Decodes RFC 2047 "B" encoded words in a header value (UTF-8 only, as we write them).
inline std::string decode_header(std::string_view value) {
  std::string out;
  std::size_t i = 0;
  bool previous_was_word = false;
  while (i < value.size()) {
    if (value.substr(i, 10) == "=?UTF-8?B?") {
      const auto end = value.find("?=", i + 10);
      out += decode_base64(value.substr(i + 10, end - i - 10));
      i = end + 2;
      previous_was_word = true;
      continue;
    }
    // Whitespace between two encoded words is not part of the text (RFC 2047 6.2).
    if (previous_was_word && value[i] == ' ' && value.substr(i + 1, 10) == "=?UTF-8?B?") {
      ++i;
      continue;
    }
    previous_was_word = false;
    out += value[i++];
  }
  return out;
}

/// The decoded body of the part with this Content-Type ("text/plain", "text/html").
inline std::string decoded_part(std::string_view message, std::string_view type) {
  const std::string marker = "Content-Type: " + std::string(type) + ";";
  const auto at = message.find(marker);
  if (at == std::string_view::npos) {
    return {};
  }
  const auto body = message.find("\r\n\r\n", at) + 4;
  auto end = message.find("\r\n--", body);
  if (end == std::string_view::npos) {
    end = message.size();
  } else {
    end += 2;
  }
  return decode_quoted_printable(message.substr(body, end - body));
}

}  // namespace rosterd::notify::testing
