#pragma once
// The roster fixture plus what connections need: a vault keyring, a roster with two creators on
// two teams, and callers for each role.

#include "tests/integration/roster/roster_fixture.hpp"
#include "vault/keyring.hpp"

namespace rosterd::testing {

inline vault::keyring test_keyring(std::uint32_t versions = 1) {
  std::string text;
  for (std::uint32_t v = 1; v <= versions; ++v) {
    text += std::string(vault::generate_key_file_line(v).reveal()) + "\n";
  }
  return vault::keyring::parse(text, "test keys").value();
}

struct lifecycle_fixture : roster_fixture {
  lifecycle_fixture() {
    apply(header +
          "Ana Lima,ana@creators.test,No,amy@agency.test\n"
          "Ben Ode,ben@creators.test,No,bo@agency.test\n");
    ana = creator_id("ana@creators.test");
    ben = creator_id("ben@creators.test");
  }
  roster::caller owner() { return caller_for("owner@agency.test"); }
  roster::caller amy() { return caller_for("amy@agency.test"); }  // on Ana's team
  roster::caller bo() { return caller_for("bo@agency.test"); }    // on Ben's team
  roster::caller ana_self() { return caller_for("ana@creators.test"); }
  roster::caller service() const {
    roster::caller c;
    c.who = roster::caller::kind::service_token;
    c.account_id = account_id;
    c.token_id = "tok_test";
    c.label = "campaign tool";
    return c;
  }

  vault::keyring keys = test_keyring();
  std::string ana;
  std::string ben;
};

}  // namespace rosterd::testing
