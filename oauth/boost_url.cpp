// Boost.URL ships compiled sources but Debian 12's Boost 1.81 has no libboost_url: this is the
// one translation unit that compiles them into rosterd_oauth.
#include <boost/url/src.hpp>
