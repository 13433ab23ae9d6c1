#include "notify/templates.hpp"

#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "notify/error.hpp"
#include "tests/support/catch_result.hpp"
#include "tests/support/process.hpp"

using namespace rosterd::notify;
using rosterd::testing::temp_directory;
using rosterd::testing::write_file;

namespace {

const value::list two_creators{{{"name", "Ada Lovelace"}}, {{"name", "Bo & Co"}}};

// Every built-in template with every value it uses, as the daemon will call them.
const value::list digest_creators{
    {{"name", "Ada Lovelace"},
     {"agency", "Northlight"},
     {"link_url", "https://rosterd.test/connect/TOKEN1"},
     {"has_link", true},
     {"platforms",
      value::list{{{"name", "Instagram"},
                   {"state", "expired"},
                   {"state_words", "Expired on 2 December 2025"},
                   {"reason", "Your Instagram login expired: log in again to reconnect."}}}}},
    {{"name", "Bo & Co"},
     {"agency", "Northlight"},
     {"link_url", ""},
     {"has_link", false},
     {"platforms", value::list{{{"name", "TikTok"},
                                {"state", "expiring"},
                                {"state_words", "Expires on 9 December 2025"},
                                {"reason", "Your TikTok sign-in reaches the end of its life."}},
                               {{"name", "Pinterest"},
                                {"state", "error"},
                                {"state_words", "Renewal failing"},
                                {"reason", "We cannot reach Pinterest right now."}}}}}};

const std::map<std::string, values> documented_values{
    {"agent_digest",
     {{"recipient_name", "Sam"},
      {"summary", "2 creators need attention"},
      {"digest_date", "2 December 2025"},
      {"creators", digest_creators}}},
    {"creator_invitation",
     {{"creator_name", "Ada"},
      {"agency", "Northlight"},
      {"accept_url", "https://rosterd.test/invite/TOKEN"},
      {"expires_on", "2 December 2025"},
      {"has_password", false}}},
    {"team_invitation",
     {{"recipient_name", "Sam"},
      {"agency", "Northlight"},
      {"accept_url", "https://rosterd.test/invite/TOKEN"},
      {"expires_on", "2 December 2025"},
      {"creators", two_creators},
      {"has_password", false}}},
    {"roster_added_notice",
     {{"recipient_name", "Sam"},
      {"agency", "Northlight"},
      {"sign_in_url", "https://rosterd.test/sign-in"},
      {"is_creator", false},
      {"creators", two_creators}}},
    {"password_reset",
     {{"recipient_name", "Sam"},
      {"reset_url", "https://rosterd.test/reset/TOKEN"},
      {"expires_in", "1 hour"}}},
    {"creator_reminder",
     {{"creator_name", "Ada"},
      {"agency", "Northlight"},
      {"platform_names", "Instagram and TikTok"},
      {"reconnect_url", "https://rosterd.test/connect/TOKEN"},
      {"due_on", "14 December 2026"},
      {"link_expires_on", "21 December 2026"},
      {"expired", false},
      {"platforms",
       value::list{
           {{"name", "Instagram"}, {"state", "needs you to log in again by 14 December 2026."}},
           {{"name", "TikTok"}, {"state", "needs you to log in again by 20 December 2026."}}}}}},
    {"team_alert",
     {{"recipient_name", "Sam"},
      {"creator_name", "Ada"},
      {"agency", "Northlight"},
      {"platform", "Instagram"},
      {"headline", "Ada's Instagram needs reconnecting in 7 days (by 14 December 2026)"},
      {"reason", "Instagram asks Ada to log in again every 60 days."},
      {"reconnect_url", "https://rosterd.test/connect/TOKEN"},
      {"link_expires_on", "21 December 2026"},
      {"has_link", true}}},
    {"creator_connect_message",
     {{"creator_name", "Ada"},
      {"agency", "Northlight"},
      {"connect_url", "https://rosterd.test/connect/TOKEN"},
      {"link_expires_on", "14 December 2026"}}},
};

template_set load_builtin() {
  auto set = template_set::load();
  INFO((set ? std::string() : set.error().detail));
  REQUIRE(set);
  return std::move(*set);
}

template_set from(std::vector<template_file> files) {
  auto set = template_set::from_files(files);
  INFO((set ? std::string() : set.error().detail));
  REQUIRE(set);
  return std::move(*set);
}

template_file file(std::string name, std::string text) {
  return {name, "test " + name, std::move(text)};
}

}  // namespace

TEST_CASE("every built-in template renders with its documented values and no other",
          "[notify][templates]") {
  const auto set = load_builtin();
  std::vector<std::string> expected;
  for (const auto& [name, v] : documented_values) {
    expected.push_back(name);
  }
  CHECK(set.names() == expected);
  for (const auto& [name, v] : documented_values) {
    INFO(name);
    const auto rendered = set.render(name, v);
    REQUIRE(rendered);
    CHECK_FALSE(rendered->subject.empty());
    CHECK(rendered->subject.find('\n') == std::string::npos);
    CHECK(rendered->text_body.find("{{") == std::string::npos);
    CHECK(rendered->text_body.find("\n\n\n") == std::string::npos);  // no gaps from sections
    CHECK(rendered->text_body.find("https://rosterd.test/") != std::string::npos);  // the link
    if (rendered->html_body) {
      CHECK(rendered->html_body->find("href=\"https://rosterd.test/") != std::string::npos);
    }
  }
}

TEST_CASE("an agent digest lists each creator's platforms and their own reconnect link",
          "[notify][templates]") {
  const auto rendered = load_builtin().render("agent_digest", documented_values.at("agent_digest"));
  REQUIRE(rendered);
  CHECK(rendered->subject == "2 creators need attention: your roster digest for 2 December 2025");
  const auto& text = rendered->text_body;
  INFO(text);
  CHECK(text ==
        "Hi Sam,\n\n2 creators need attention. The most urgent come first.\n\n"
        "Ada Lovelace (Northlight)\n"
        "  - Instagram: Expired on 2 December 2025. Your Instagram login expired: log in again "
        "to reconnect.\n"
        "  Forward Ada Lovelace this link; one visit renews every platform above:\n"
        "  https://rosterd.test/connect/TOKEN1\n\n"
        "Bo & Co (Northlight)\n"
        "  - TikTok: Expires on 9 December 2025. Your TikTok sign-in reaches the end of its "
        "life.\n"
        "  - Pinterest: Renewal failing. We cannot reach Pinterest right now.\n\n"
        "Only creators can reconnect their own profiles. The links work for a few days; sign in "
        "to rosterd to make a new one.\n");
  REQUIRE(rendered->html_body);
  CHECK(rendered->html_body->find("Bo &amp; Co") != std::string::npos);
  CHECK(rendered->html_body->find("href=\"https://rosterd.test/connect/TOKEN1\"") !=
        std::string::npos);
}

TEST_CASE("the creator invitation asks to set a password and connect Instagram and TikTok",
          "[notify][templates]") {
  const auto rendered =
      load_builtin().render("creator_invitation", documented_values.at("creator_invitation"));
  REQUIRE(rendered);
  CHECK(rendered->subject == "Northlight invited you to connect your social profiles");
  const auto& text = rendered->text_body;
  CHECK(text.starts_with("Hi Ada,\n"));
  CHECK(text.find("password") != std::string::npos);
  CHECK(text.find("Instagram and TikTok") != std::string::npos);
  CHECK(text.find("https://rosterd.test/invite/TOKEN") != std::string::npos);
  CHECK(text.find("until 2 December 2025") != std::string::npos);
  CHECK(rendered->html_body);
}

TEST_CASE("lists render one line per record, and section tags leave no blank lines",
          "[notify][templates]") {
  const auto rendered =
      load_builtin().render("team_invitation", documented_values.at("team_invitation"));
  REQUIRE(rendered);
  CHECK(rendered->text_body.find("You'll be on the team for:\n  - Ada Lovelace\n  - Bo & Co\n\n") !=
        std::string::npos);
  REQUIRE(rendered->html_body);
  CHECK(rendered->html_body->find("<li>Bo &amp; Co</li>") != std::string::npos);
}

TEST_CASE("a yes/no value chooses between sections", "[notify][templates]") {
  auto v = documented_values.at("roster_added_notice");
  v.set("is_creator", true);
  const auto creator = load_builtin().render("roster_added_notice", v);
  REQUIRE(creator);
  CHECK(creator->text_body.find("only you can connect them") != std::string::npos);
  CHECK(creator->text_body.find("team for") == std::string::npos);
  CHECK(creator->text_body.find("\n\n\n") == std::string::npos);
  v.set("is_creator", false);
  const auto agent = load_builtin().render("roster_added_notice", v);
  REQUIRE(agent);
  CHECK(agent->text_body.find("password.\n\nYou're on the team for:\n  - Ada Lovelace\n  - Bo & "
                              "Co\n\nSign in:") != std::string::npos);
  CHECK(agent->text_body.find("only you can connect") == std::string::npos);
}

TEST_CASE("HTML bodies escape values; text bodies and subjects keep them as they are",
          "[notify][templates]") {
  const auto set =
      from({file("t.subject.mustache", "Hello {{name}}\n"),
            file("t.txt.mustache", "Hi {{name}} <{{url}}>\n"),
            file("t.html.mustache", "<p>Hi {{name}} <a href=\"{{url}}\">x</a></p>\n")});
  const auto rendered =
      set.render("t", {{"name", "Bo & <Co> \"O'Neil\""}, {"url", "https://x.test/?a=1&b=2"}});
  REQUIRE(rendered);
  CHECK(rendered->subject == "Hello Bo & <Co> \"O'Neil\"");
  CHECK(rendered->text_body == "Hi Bo & <Co> \"O'Neil\" <https://x.test/?a=1&b=2>\n");
  CHECK(rendered->html_body ==
        "<p>Hi Bo &amp; &lt;Co&gt; &quot;O&apos;Neil&quot; "
        "<a href=\"https://x.test/?a=1&amp;b=2\">x</a></p>\n");
}

TEST_CASE("a subject never carries a line break, whatever the values hold", "[notify][templates]") {
  const auto set = from(
      {file("t.subject.mustache", "  Welcome to {{agency}}  \n"), file("t.txt.mustache", "x\n")});
  const auto rendered = set.render("t", {{"agency", "North\r\nBcc: eve@example.org\tlight"}});
  REQUIRE(rendered);
  CHECK(rendered->subject == "Welcome to North Bcc: eve@example.org light");
}

TEST_CASE("rendering fails naming every value the template uses and the caller left out",
          "[notify][templates]") {
  const auto set = from({file("t.subject.mustache", "Hi {{name}}"),
                         file("t.txt.mustache", "{{accept_url}} {{expires_on}} {{name}}\n")});
  const auto rendered = set.render("t", {{"name", "Ada"}, {"accept_urll", "typo"}});
  REQUIRE_FALSE(rendered);
  CHECK(rendered.error().code == errc::missing_value);
  CHECK(rendered.error().detail ==
        "test t.txt.mustache uses accept_url, expires_on, which the caller did not provide");
  CHECK(set.render("nope", {}).error().code == errc::template_not_found);
}

TEST_CASE("partials are refused: a value must never become template text", "[notify][templates]") {
  const auto set = from({file("t.subject.mustache", "s"), file("t.txt.mustache", "{{> name}}\n")});
  const auto rendered = set.render("t", {{"name", "{{secret}}"}, {"secret", "x"}});
  REQUIRE_FALSE(rendered);
  CHECK(rendered.error().code == errc::missing_value);
}

TEST_CASE("one set renders each message with its own values, after failures and from threads",
          "[notify][templates]") {
  const auto set = from({file("t.subject.mustache", "Hi {{name}}"),
                         file("t.txt.mustache", "{{#items}}- {{name}}\n{{/items}}{{url}}\n"),
                         file("t.html.mustache", "<p>{{name}} {{url}}</p>\n")});
  const auto render = [&](const std::string& name) {
    return set.render("t",
                      {{"name", name},
                       {"url", "https://x.test/" + name},
                       {"items", value::list{{{"name", name + "-a"}}, {{"name", name + "-b"}}}}});
  };
  // A render that fails (a value left out, a partial refused) leaves nothing behind for the next.
  CHECK(set.render("t", {{"name", "Ada"}}).error().code == errc::missing_value);
  const auto after = render("Bo & Co");
  REQUIRE(after);
  CHECK(after->subject == "Hi Bo & Co");
  CHECK(after->text_body == "- Bo & Co-a\n- Bo & Co-b\nhttps://x.test/Bo & Co\n");
  CHECK(after->html_body == "<p>Bo &amp; Co https://x.test/Bo &amp; Co</p>\n");
  const auto with_partial = from({file("p.subject.mustache", "s"),
                                  file("p.txt.mustache", "{{#on}}{{> name}}{{/on}}{{name}}\n")});
  CHECK(with_partial.render("p", {{"name", "x"}, {"on", true}}).error().code ==
        errc::missing_value);
  const auto plain = with_partial.render("p", {{"name", "Cy"}, {"on", false}});
  REQUIRE(plain);
  CHECK(plain->text_body == "Cy\n");

  std::vector<std::string> wrong(4);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < wrong.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        const auto name = "n" + std::to_string(t) + "_" + std::to_string(i);
        const auto r = render(name);
        if (!r || r->subject != "Hi " + name ||
            r->text_body != "- " + name + "-a\n- " + name + "-b\nhttps://x.test/" + name + "\n" ||
            r->html_body != "<p>" + name + " https://x.test/" + name + "</p>\n") {
          wrong[t] = name;
          return;
        }
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  for (const auto& w : wrong) {
    CHECK(w.empty());
  }
}

TEST_CASE("every broken template is reported at once, with its file, line and column",
          "[notify][templates]") {
  const std::vector<template_file> files{
      file("a.subject.mustache", "ok"),
      file("a.txt.mustache", "line one\n{{#open}}\nnever closed\n"),
      file("b.subject.mustache", "ok"),
      file("b.txt.mustache", "fine\n  {{unclosed\n"),
      file("c.subject.mustache", "first line\nsecond line\n"),
      file("c.txt.mustache", "x"),
      file("d.subject.mustache", "only a subject"),
      file("e.txt.mustache", "Caf\xe9\n"),  // Latin-1, not UTF-8
      file("notes.txt", "not a template part"),
  };
  const auto set = template_set::from_files(files);
  REQUIRE_FALSE(set);
  CHECK(set.error().code == errc::template_invalid);
  const auto& detail = set.error().detail;
  INFO(detail);
  CHECK(detail.find("test a.txt.mustache: Unclosed section \"open\" at line 2, column 1") !=
        std::string::npos);
  CHECK(detail.find("test b.txt.mustache: Unclosed tag at line 2, column 3") != std::string::npos);
  CHECK(detail.find("test c.subject.mustache: a subject must be a single line") !=
        std::string::npos);
  CHECK(detail.find("d: needs both d.subject.mustache and d.txt.mustache") != std::string::npos);
  CHECK(detail.find("test e.txt.mustache: is not valid UTF-8") != std::string::npos);
  CHECK(detail.find("test notes.txt: not a template part") != std::string::npos);
}

TEST_CASE("an override directory replaces single built-in files", "[notify][templates]") {
  temp_directory dir;
  write_file(dir / "password_reset.subject.mustache", "Your {{expires_in}} reset link\n");
  write_file(dir / "README", "Ignored: not a .mustache file\n");
  auto set = template_set::load(dir.path());
  INFO((set ? std::string() : set.error().detail));
  REQUIRE(set);
  const auto rendered = set->render("password_reset", documented_values.at("password_reset"));
  REQUIRE(rendered);
  CHECK(rendered->subject == "Your 1 hour reset link");
  CHECK(rendered->text_body.find("https://rosterd.test/reset/TOKEN") != std::string::npos);
}

TEST_CASE("a misnamed override is an error with a suggestion, reported with broken files",
          "[notify][templates]") {
  temp_directory dir;
  write_file(dir / "creator_invitaton.txt.mustache", "Hi\n");
  write_file(dir / "password_reset.text.mustache", "Hi\n");
  write_file(dir / "team_invitation.txt.mustache", "{{#creators}}\n");
  const auto set = template_set::load(dir.path());
  REQUIRE_FALSE(set);
  const auto& detail = set.error().detail;
  INFO(detail);
  CHECK(detail.find("creator_invitaton.txt.mustache: there is no template named "
                    "creator_invitaton (did you mean creator_invitation?)") != std::string::npos);
  CHECK(detail.find("password_reset.text.mustache: not a template part") != std::string::npos);
  CHECK(detail.find("team_invitation.txt.mustache: Unclosed section \"creators\"") !=
        std::string::npos);
}

TEST_CASE("a missing override directory is an error, not a silent fallback",
          "[notify][templates]") {
  temp_directory dir;
  const auto set = template_set::load(dir / "absent");
  REQUIRE_FALSE(set);
  CHECK(set.error().code == errc::template_invalid);
}
