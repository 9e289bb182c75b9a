"""Every port the test suites start servers on, in one place.

TEST_PORT_BASE shifts them all, so that several test runs can share a machine: give each run a
different multiple of 1000 (the suites' ports below lie within 5200–8500 of the base).
"""
import os

BASE = int(os.environ.get("TEST_PORT_BASE", "0"))

REST = {"rasa_port": 5205 + BASE, "action_port": 5255 + BASE}            # tests/test_rest.py
GUIDES_REST = {"rasa_port": 5605 + BASE, "action_port": 5655 + BASE}     # tests/test_guides_rest.py
REALQ = {"rasa_port": 5705 + BASE, "action_port": 5755 + BASE}           # tests/test_realq.py
GATEWAY_STACK = {"rasa_port": 5405 + BASE, "action_port": 5455 + BASE}  # tests/gateway: the Rasa stack
GATEWAY = 8405 + BASE                                                    # tests/gateway: the gateway
POSTGRES = 6432 + BASE                                                   # tests/gateway: a throw-away PostgreSQL

# tests/gateway suites that start their own servers
FAILURES = {"rasa_port": 5505 + BASE, "action_port": 5555 + BASE, "gateway": 8505 + BASE}
POSTGRES_STACK = {"rasa_port": 5805 + BASE, "action_port": 5855 + BASE, "gateway": 8805 + BASE}
DURABILITY = {"rasa_port": 6005 + BASE, "action_port": 6055 + BASE, "gateway": 8705 + BASE}
HELPDESK_LOGIN_GATEWAY = 8455 + BASE
HELPDESK_TRUST_GATEWAY = 8605 + BASE
FAKE_LINE = 9120 + BASE
HELPDESK_FAKE_LINE = 9121 + BASE                                        # tests/gateway/test_helpdesk.py
