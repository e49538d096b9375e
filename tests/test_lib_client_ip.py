"""pekppp/lib/client_ip.py: no Django needed, so no database either."""

from unittest import TestCase

from pekppp.lib.client_ip import client_ip


class ClientIpTest(TestCase):
    def test_it_trusts_x_forwarded_for_only_as_far_as_our_proxies(self):
        peer = {"REMOTE_ADDR": "172.18.0.5"}
        cases = [
            # no proxy: the header is anyone's to forge
            ({**peer, "HTTP_X_FORWARDED_FOR": "198.51.100.7"}, 0, "172.18.0.5"),
            ({**peer}, 1, "172.18.0.5"),
            ({**peer, "HTTP_X_FORWARDED_FOR": "198.51.100.7"}, 1, "198.51.100.7"),
            # the client's own entry on the left is ignored
            ({**peer, "HTTP_X_FORWARDED_FOR": "1.2.3.4, 198.51.100.7"}, 1, "198.51.100.7"),
            (
                {**peer, "HTTP_X_FORWARDED_FOR": "1.2.3.4, 198.51.100.7, 10.0.0.2"},
                2,
                "198.51.100.7",
            ),
            ({**peer, "HTTP_X_FORWARDED_FOR": "198.51.100.7"}, 2, "172.18.0.5"),
            ({**peer, "HTTP_X_FORWARDED_FOR": "bukan-alamat"}, 1, "172.18.0.5"),
            ({**peer, "HTTP_X_FORWARDED_FOR": " 2001:db8::1 "}, 1, "2001:db8::1"),
            ({}, 0, None),
        ]
        for meta, proxies, expected in cases:
            with self.subTest(meta=meta, proxies=proxies):
                self.assertEqual(client_ip(meta, proxies), expected)
