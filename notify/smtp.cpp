#include "notify/smtp.hpp"

#include <algorithm>
#include <curl/curl.h>
#include <fstream>
#include <mutex>
#include <stdexcept>

#include "base/log_field.hpp"
#include "notify/address.hpp"
#include "notify/curl_init.hpp"
#include "notify/error.hpp"
#include "notify/message.hpp"

namespace rosterd::notify {
namespace {

constexpr std::size_t max_reply_text = 200;

struct slist_deleter {
  void operator()(curl_slist* list) const noexcept { curl_slist_free_all(list); }
};
using slist_ptr = std::unique_ptr<curl_slist, slist_deleter>;

// What one transfer reads from and reports to; the callbacks get a pointer to it.
struct transfer {
  std::string_view message;
  std::size_t offset = 0;
  std::stop_token stop;
  std::string last_reply;  // the server's latest 4xx or 5xx reply line, for operators
};

std::size_t read_message(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto& t = *static_cast<transfer*>(user);
  const auto n = std::min(size * count, t.message.size() - t.offset);
  std::copy_n(t.message.data() + t.offset, n, buffer);
  t.offset += n;
  return n;
}

// Called about once a second and on every chunk: a non-zero return aborts the transfer.
int check_stop(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<transfer*>(user)->stop.stop_requested() ? 1 : 0;
}

// Keeps the server's reply lines (CURLINFO_HEADER_IN) and nothing else: what we send
// (HEADER_OUT) includes the AUTH exchange, and DATA_OUT is the body with its one-time links.
int capture_reply(CURL*, curl_infotype type, char* data, std::size_t size, void* user) {
  if (type != CURLINFO_HEADER_IN) {
    return 0;
  }
  std::string_view line(data, size);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) {
    line.remove_suffix(1);
  }
  // Only refusals: after one, libcurl says QUIT and the "221 Bye" would hide the reason.
  if (!line.empty() && (line.front() == '4' || line.front() == '5')) {
    auto& reply = static_cast<transfer*>(user)->last_reply;
    reply.assign(line.substr(0, max_reply_text));
    std::replace_if(
        reply.begin(), reply.end(),
        [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }, ' ');
  }
  return 0;
}

bool starts_with_scheme(std::string_view url, std::string_view scheme) {
  return url.size() > scheme.size() && url.substr(0, scheme.size()) == scheme;
}

}  // namespace

struct smtp_sender::handle {
  CURL* curl = nullptr;
  char error[CURL_ERROR_SIZE] = {};
  ~handle() {
    if (curl != nullptr) {
      curl_easy_cleanup(curl);  // sends QUIT on a connection still open
    }
  }
};

base::result<void> check_smtp_settings(const smtp_settings& s) {
  const bool secure_scheme = starts_with_scheme(s.url, "smtps://");
  if (!secure_scheme && !starts_with_scheme(s.url, "smtp://")) {
    return base::fail(errc::invalid_settings, "smtp url must start with smtp:// or smtps://");
  }
  const auto authority = std::string_view(s.url).substr(s.url.find("//") + 2);
  if (authority.substr(0, authority.find('/')).find('@') != std::string_view::npos) {
    return base::fail(errc::invalid_settings,
                      "smtp url must not carry a user or password; use the username and "
                      "password settings");
  }
  if (s.tls == smtp_tls::implicit && !secure_scheme) {
    return base::fail(errc::invalid_settings, "implicit TLS needs an smtps:// url");
  }
  if (s.tls != smtp_tls::implicit && secure_scheme) {
    return base::fail(errc::invalid_settings, "an smtps:// url needs implicit TLS");
  }
  if (s.username) {
    if (s.username->empty() || s.password.empty()) {
      return base::fail(errc::invalid_settings, "smtp username and password must both be set");
    }
    if (s.tls == smtp_tls::none) {
      return base::fail(errc::invalid_settings,
                        "smtp credentials need TLS (starttls or implicit); without it the "
                        "password would cross the network in clear");
    }
  }
  if (auto ok = check_address(s.from_address, "smtp from_address"); !ok) {
    return ok;
  }
  if (auto ok = check_header_text(s.from_name, "smtp from_name"); !ok) {
    return ok;
  }
  if (s.connect_timeout.count() <= 0 || s.total_timeout.count() <= 0 ||
      s.total_timeout < s.connect_timeout) {
    return base::fail(errc::invalid_settings,
                      "smtp timeouts must be positive, and the total at least the connect "
                      "timeout");
  }
  if (!s.ca_file.empty() && !std::ifstream(s.ca_file)) {
    return base::fail(errc::invalid_settings,
                      "smtp ca_file " + s.ca_file.string() + " cannot be read");
  }
  return {};
}

send_outcome classify_smtp_result(int curl_code, long reply_code) noexcept {
  switch (curl_code) {
    case CURLE_OK:
      return send_outcome::delivered;
    // Failures of the connection or the session, whatever the last reply: the message was
    // never judged. A refused login (even 535) is a settings problem, not this message's.
    case CURLE_LOGIN_DENIED:
    case CURLE_USE_SSL_FAILED:
    case CURLE_ABORTED_BY_CALLBACK:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_GOT_NOTHING:
      return send_outcome::unavailable;
    default:
      break;
  }
  if (reply_code == 421) {  // "service not available, closing": the server, not the message
    return send_outcome::unavailable;
  }
  if (reply_code >= 400 && reply_code < 500) {
    return send_outcome::deferred;
  }
  if (reply_code >= 500 && reply_code < 600) {
    return send_outcome::rejected;
  }
  return send_outcome::unavailable;  // dropped mid-exchange, no verdict on the message
}

base::result<std::unique_ptr<smtp_sender>> smtp_sender::create(
    smtp_settings settings, std::shared_ptr<spdlog::logger> log) {
  if (auto ok = check_smtp_settings(settings); !ok) {
    return ok.error();
  }
  curl_global_once();
  auto h = std::make_unique<handle>();
  h->curl = curl_easy_init();
  if (h->curl == nullptr) {
    throw std::runtime_error("curl_easy_init failed");
  }
  if (!log) {
    log = std::make_shared<spdlog::logger>("notify");  // no sinks: discards everything
  }
  return std::unique_ptr<smtp_sender>(
      new smtp_sender(std::move(settings), std::move(h), std::move(log)));
}

smtp_sender::smtp_sender(smtp_settings settings, std::unique_ptr<handle> h,
                         std::shared_ptr<spdlog::logger> log)
    : settings_(std::move(settings)), handle_(std::move(h)), log_(std::move(log)) {
  CURL* c = handle_->curl;
  // Options that never change are set once; curl copies the strings.
  curl_easy_setopt(c, CURLOPT_URL, settings_.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // we run on our own thread; no SIGALRM
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, handle_->error);
  curl_easy_setopt(c, CURLOPT_USE_SSL,
                   settings_.tls == smtp_tls::none ? static_cast<long>(CURLUSESSL_NONE)
                                                   : static_cast<long>(CURLUSESSL_ALL));
  curl_easy_setopt(c, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!settings_.ca_file.empty()) {
    curl_easy_setopt(c, CURLOPT_CAINFO, settings_.ca_file.c_str());
  }
  if (settings_.username) {
    curl_easy_setopt(c, CURLOPT_USERNAME, settings_.username->c_str());
    // reveal() views a std::string, so it is NUL-terminated; curl keeps its own copy.
    curl_easy_setopt(c, CURLOPT_PASSWORD, settings_.password.reveal().data());
  }
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(settings_.connect_timeout.count()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(settings_.total_timeout.count()));
  // libcurl waits only 120 s for a reply by default; the end of DATA may take 10 minutes.
  curl_easy_setopt(
      c, CURLOPT_SERVER_RESPONSE_TIMEOUT,
      static_cast<long>(std::chrono::ceil<std::chrono::seconds>(settings_.total_timeout).count()));
  curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(c, CURLOPT_READFUNCTION, read_message);
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, check_stop);
  curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, capture_reply);
  curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);  // only so capture_reply sees the replies
  const std::string mail_from = "<" + settings_.from_address + ">";
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, mail_from.c_str());
  // The URL holds no credentials (check_smtp_settings refuses them), so it may be logged.
  log_->info("smtp_configured url={} tls={} auth={} ca_file={}", base::log_field(settings_.url),
             settings_.tls == smtp_tls::starttls   ? "starttls"
             : settings_.tls == smtp_tls::implicit ? "implicit"
                                                   : "none",
             settings_.username ? "yes" : "no",
             settings_.ca_file.empty() ? "system" : base::log_field(settings_.ca_file.string()));
}

smtp_sender::~smtp_sender() = default;

send_result smtp_sender::send(const outbox_row& row, std::stop_token stop) {
  if (!row.text_body) {
    return {send_outcome::rejected, 0, "the message has no body (already finished?)"};
  }
  auto message = compose_message({.from_address = settings_.from_address,
                                  .from_name = settings_.from_name,
                                  .to_address = row.recipient,
                                  .subject = row.subject,
                                  .text_body = *row.text_body,
                                  .html_body = row.html_body,
                                  .message_id = row.message_id,
                                  .date = row.created_at});
  if (!message) {
    return {send_outcome::rejected, 0, "cannot compose: " + base::describe(message.error())};
  }
  CURL* c = handle_->curl;
  transfer t{.message = *message, .offset = 0, .stop = std::move(stop), .last_reply = {}};
  slist_ptr recipients(curl_slist_append(nullptr, ("<" + row.recipient + ">").c_str()));
  if (!recipients) {
    throw std::bad_alloc();
  }
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, recipients.get());
  curl_easy_setopt(c, CURLOPT_READDATA, &t);
  curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(message->size()));
  curl_easy_setopt(c, CURLOPT_XFERINFODATA, &t);
  curl_easy_setopt(c, CURLOPT_DEBUGDATA, &t);
  handle_->error[0] = '\0';

  const CURLcode rc = curl_easy_perform(c);

  long reply = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply);
  // Nothing may keep pointing at this call's locals.
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, nullptr);
  curl_easy_setopt(c, CURLOPT_READDATA, nullptr);
  curl_easy_setopt(c, CURLOPT_XFERINFODATA, nullptr);
  curl_easy_setopt(c, CURLOPT_DEBUGDATA, nullptr);

  send_result result{classify_smtp_result(rc, reply), reply, {}};
  if (rc == CURLE_OK) {
    return result;
  }
  result.detail = handle_->error[0] != '\0' ? handle_->error : curl_easy_strerror(rc);
  if (rc == CURLE_ABORTED_BY_CALLBACK) {
    result.detail = "aborted by shutdown";
  }
  if (!t.last_reply.empty()) {
    result.detail += "; server said: " + t.last_reply;
  }
  return result;
}

}  // namespace rosterd::notify
