#include "roster/accounts.hpp"

#include "roster/email_address.hpp"
#include "roster/error.hpp"
#include "roster/people.hpp"
#include "roster/text.hpp"
#include "store/sql.hpp"
#include "store/transaction.hpp"

namespace rosterd::roster {

base::result<bootstrapped_account> bootstrap_account(store::database& db,
                                                     const roster_settings& settings,
                                                     std::string_view account_name,
                                                     std::string_view owner_email, const actor& who,
                                                     time_point now) {
  const auto name = trim(account_name);
  if (name.empty() || name.size() > 200 || has_control_character(name)) {
    return base::reject(errc::invalid_argument,
                        "name: give the agency a name of 1 to 200 characters");
  }
  auto email = normalize_email(owner_email);
  if (!email) {
    return base::reject(errc::invalid_argument, "owner email: " + email.error().client_message);
  }
  auto tx = store::transaction::begin(db);
  if (!tx) {
    return tx.error();
  }
  bootstrapped_account out;
  out.account_id = new_id("acc");
  if (auto a = store::sql::run(db, "INSERT INTO accounts (id, name, created_at) VALUES (?, ?, ?)",
                               out.account_id, name, stamp(now));
      !a) {
    return a.error();
  }
  auto user = find_user_by_email(db, *email);
  if (!user) {
    return user.error();
  }
  bool signs_in = false;
  if (*user) {
    out.owner_user_id = (*user)->id;
    signs_in = (*user)->has_password;
  } else {
    auto made = create_user(db, *email, "", now);
    if (!made) {
      return made.error();
    }
    out.owner_user_id = made->id;
  }
  if (auto m = ensure_membership(db, out.account_id, out.owner_user_id, role::owner, now); !m) {
    return m.error();
  }
  // The operator creates the account for its owner: they join it at once (a new owner still
  // needs the setup link to get a password before they can sign in).
  if (auto j = join_membership(db, out.account_id, out.owner_user_id, now); !j) {
    return j.error();
  }
  if (auto a = record(
          db, who,
          {out.account_id, "account.created", "account", out.account_id, "", std::string(name)},
          now);
      !a) {
    return a.error();
  }
  if (!signs_in) {
    auto setup =
        create_invitation(db, settings, out.account_id, out.owner_user_id, role::owner, who, now);
    if (!setup) {
      return setup.error();
    }
    out.setup = std::move(*setup);
  }
  if (auto c = tx->commit(); !c) {
    return c.error();
  }
  return out;
}

}  // namespace rosterd::roster
