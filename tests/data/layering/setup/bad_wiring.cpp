// Setup must know no HTTP.
#include "http/router.hpp"
