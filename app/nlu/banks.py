"""Vietnamese banks and e-wallets as citizens name them, for the entity extractor.

Aliases are written lowercase, with diacritics where the name has them; the extractor also
matches the folded (no-diacritics) spelling of every alias, so "ngân hàng á châu" covers
"ngan hang a chau" too.
"""

from typing import Final, NamedTuple


class Bank(NamedTuple):
    canonical: str
    # Names that identify the bank on their own ("vcb", "techcombank").
    aliases: tuple[str, ...]
    # Descriptive Vietnamese names that only mean the bank after "ngân hàng"/"nh"
    # ("quân đội" alone is the army, "ngân hàng quân đội" is MB).
    after_nganhang: tuple[str, ...] = ()
    # Names that are ordinary words elsewhere ("cake", "timo"): they label an account that
    # already has an account cue, but never make a digit run an account by themselves.
    weak: bool = False
    # E-wallets use the owner's phone number as the account id.
    wallet: bool = False


BANKS: Final[tuple[Bank, ...]] = (
    Bank("Vietcombank", ("vietcombank", "vietcom bank", "vcb"), ("ngoại thương",)),
    Bank("VietinBank", ("vietinbank", "vietin bank", "vietin", "ctg"), ("công thương",)),
    Bank("BIDV", ("bidv",), ("đầu tư và phát triển", "đầu tư phát triển")),
    Bank("Agribank", ("agribank", "agri bank", "agri"), ("nông nghiệp",)),
    Bank("Techcombank", ("techcombank", "techcom bank", "techcom", "tcb"), ("kỹ thương", "kĩ thương")),
    Bank("MB", ("mb bank", "mbbank", "mb", "mbb"), ("quân đội",)),
    Bank("ACB", ("acb",), ("á châu",)),
    Bank("VPBank", ("vpbank", "vp bank", "vpb"), ("việt nam thịnh vượng", "thịnh vượng")),
    Bank("TPBank", ("tpbank", "tp bank", "tpb"), ("tiên phong",)),
    Bank("Sacombank", ("sacombank", "sacom bank", "sacom", "stb"), ("sài gòn thương tín",)),
    Bank("SHB", ("shb",), ("sài gòn hà nội",)),
    Bank("HDBank", ("hdbank", "hd bank", "hdb"), ("phát triển thành phố hồ chí minh",)),
    Bank("VIB", ("vib",), ("quốc tế",)),
    Bank("MSB", ("msb", "maritime bank", "maritimebank"), ("hàng hải",)),
    Bank("OCB", ("ocb",), ("phương đông",)),
    Bank("SeABank", ("seabank", "sea bank"), ("đông nam á",)),
    Bank("Eximbank", ("eximbank", "exim bank", "exim", "eib"), ("xuất nhập khẩu",)),
    Bank(
        "LPBank",
        ("lpbank", "lp bank", "lpb", "lienvietpostbank", "lienviet post bank", "lienvietbank", "lienviet"),
        ("bưu điện liên việt", "liên việt", "lộc phát"),
    ),
    Bank("Nam A Bank", ("nam a bank", "nam á bank", "namabank", "nab"), ("nam á",)),
    Bank("Bac A Bank", ("bac a bank", "bắc á bank", "bacabank"), ("bắc á",)),
    Bank("ABBANK", ("abbank", "ab bank"), ("an bình",)),
    Bank("NCB", ("ncb",), ("quốc dân",)),
    Bank("Kienlongbank", ("kienlongbank", "kienlong bank", "klb"), ("kiên long",)),
    Bank("PVcomBank", ("pvcombank", "pvcom bank", "pvcom"), ("đại chúng",)),
    Bank("SCB", ("scb",), ("sài gòn",)),
    Bank("OceanBank", ("oceanbank", "ocean bank"), ("đại dương",)),
    Bank("GPBank", ("gpbank", "gp bank"), ("dầu khí toàn cầu",)),
    Bank("PGBank", ("pgbank", "pg bank"), ("thịnh vượng và phát triển",)),
    Bank("BaoViet Bank", ("baovietbank", "baoviet bank", "bảo việt bank"), ("bảo việt",)),
    Bank("VietABank", ("vietabank", "viet a bank", "việt á bank"), ("việt á",)),
    Bank("Vietbank", ("vietbank",), ("việt nam thương tín",)),
    Bank("BVBank", ("bvbank", "bv bank", "viet capital bank", "vietcapital bank"), ("bản việt",)),
    Bank("Saigonbank", ("saigonbank", "saigon bank"), ("sài gòn công thương",)),
    Bank("DongA Bank", ("donga bank", "dongabank", "đông á bank"), ("đông á",)),
    Bank("HSBC", ("hsbc",)),
    Bank("Shinhan Bank", ("shinhan bank", "shinhanbank", "shinhan")),
    Bank("Woori Bank", ("woori bank", "wooribank", "woori")),
    Bank("UOB", ("uob",)),
    Bank("Citibank", ("citibank", "citi bank")),
    Bank("Standard Chartered", ("standard chartered",)),
    Bank("Cake", ("cake", "cake by vpbank"), (), weak=True),
    Bank("Timo", ("timo", "timo plus"), (), weak=True),
    Bank("MoMo", ("momo", "mo mo", "ví momo"), (), wallet=True),
    Bank("ZaloPay", ("zalopay", "zalo pay"), (), wallet=True),
    Bank("ViettelPay", ("viettelpay", "viettel pay", "viettel money", "viettelmoney"), (), wallet=True),
    Bank("ShopeePay", ("shopeepay", "shopee pay"), (), wallet=True),
    Bank("VNPAY", ("vnpay", "vn pay"), (), wallet=True),
)
