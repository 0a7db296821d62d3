"""A test corpus of real published passages about Front committees' work.

Each passage is a short quotation from a public news page (address kept),
found with the search tool's "pages" corpus. `expected` lists every figure a
careful reader would record: (value, key). Value is whole đồng or units, a
rate is a string ("73"); key is a figure key or None when no key fits.
Not figures: dates, years, terms, durations, anniversaries, document numbers,
ordinal names, targets for the future, counts of administrative units as scope.
The labels were written from the text, before the reader was run on it.
"""

VNN = "quy_vi_nguoi_ngheo_van_dong"
CHI = "quy_vi_nguoi_ngheo_chi"
QUA = "quy_vi_nguoi_ngheo_suat_qua"
QUA_GT = "qua_tang_gia_tri"
XAY = "nha_dai_doan_ket_xay"
SUA = "quy_vi_nguoi_ngheo_nha"
KTT = "khen_thuong_tap_the"
KCN = "khen_thuong_ca_nhan"
CUU = "cuu_tro_van_dong"
TTND = "ttnd_giam_sat"
M = 1_000_000
B = 1_000_000_000

CORPUS = [
    {
        "url": "https://hoianrt.vn/tin-tuc/van-hoa-xa-hoi/mat-tran-phuong-cua-dai-so-ket-cong-tac-6-thang-dau-nam-2022.html",
        "text": "Thông qua các Ngày hội đại đoàn kết ở khu dân cư, đã có 51 tập thể, 135 cá nhân và 30 hộ gia đình hiếu học được biểu dương, khen thưởng. Qũy vì người nghèo của địa phương cũng tặng 44 suất quà cho hộ nghèo, cận nghèo, khó khăn, đau ốm mỗi suất 500 nghìn đồng.",
        "expected": [(51, KTT), (135, KCN), (30, None), (44, QUA), (500_000, None)],
    },
    {
        "url": "https://hoianrt.vn/tin-tuc/van-hoa-xa-hoi/mat-tran-phuong-cua-dai-so-ket-cong-tac-6-thang-dau-nam-2022.html",
        "text": "Mặt trận phường cũng đã vận động các cơ quan, đơn vị, doanh nghiệp, cá nhân đóng góp cùng với hỗ trợ của thành phố trao 1.879 suất quà trị giá hơn 560 triệu đồng cho hộ nghèo, cận nghèo, khó khăn, hộ chính sách.",
        "expected": [(1879, QUA), (560 * M, QUA_GT)],
    },
    {
        "url": "http://baoninhthuan.com.vn/news/76328p1c30/ninh-son-phat-dong-quy-vi-nguoi-ngheo-nam-2015.htm",
        "text": "Thời gian qua, huyện đã vận động quỹ “Ngày vì người nghèo” được trên 4 tỷ đồng và được tỉnh chuyển về hơn 19 tỷ đồng. Từ nguồn quỹ trên, đã hỗ trợ xây dựng 3.428 nhà ở cho hộ nghèo, với tổng số tiền trên 21 tỷ đồng. Năm 2015, huyện phấn đấu vận động “Quỹ vì người nghèo” đạt 400 triệu đồng.\nNhân dịp này, Ủy ban MTTQVN huyện đã tặng giấy khen cho 6 tập thể và 10 cá nhân đã có thành tích xuất sắc trong vận động “Quỹ vì người nghèo” giai đoạn 2000-2015.",
        "expected": [
            (4 * B, VNN),
            (19 * B, None),
            (3428, XAY),
            (21 * B, None),
            (6, KTT),
            (10, KCN),
        ],
    },
    {
        "url": "https://baoninhthuan.com.vn/news/109189p24c32/bac-ai-phat-dong-ung-ho-quy-vi-nguoi-ngheo-nam-2019.htm",
        "text": "Là huyện nghèo, nhưng với sự nỗ lực của cả hệ thống chính trị và nhân dân địa phương, trong năm 2018 toàn huyện đã vận động “Quỹ vì người nghèo” được gần 200 triệu đồng, kêu gọi các doanh nghiệp đỡ đầu cho 1.065 hộ nghèo, hộ cận nghèo, đến nay đã có 357 hộ thoát nghèo bền vững.",
        "expected": [(200 * M, VNN), (1065, None), (357, None)],
    },
    {
        "url": "http://m.mattran.org.vn/hoat-dong-mat-tran-dia-phuong/muong-ang-ung-ho-hon-350-trieu-dong-quy-vi-nguoi-ngheo-53183.html",
        "text": "Theo báo cáo của Ủy ban MTTQ Việt Nam huyện, từ tháng 10/2022 đến tháng 9/2023, Ban Vận động ủng hộ Quỹ “Vì người nghèo” đã tiếp nhận hơn 31 tỷ đồng; trong đó, đã phân bổ gần 30 tỷ đồng làm nhà Đại đoàn kết, sửa chữa, xây mới nhà ở cho hộ nghèo, hộ cận nghèo và các hoạt động an sinh xã hội.",
        "expected": [(31 * B, VNN), (30 * B, CHI)],
    },
    {
        "url": "https://baodongnai.com.vn/tintuc/201206/van-dong-hon-112-ty-dong-ung-ho-quy-vi-nguoi-ngheo-2162800",
        "text": "Trong 6 tháng đầu năm, Ủy ban MTTQ các cấp trong tỉnh đã phối hợp cùng các ngành, đoàn thể, tổ chức thành viên vận động các tầng lớp nhân dân giúp nhau sản xuất, giúp người nghèo xây dựng nhà tình thương, giúp vốn, trợ cấp khó khăn đột xuất, hỗ trợ học bổng và ủng hộ trực tiếp vào Quỹ “Vì người nghèo”, được 112,7 tỷ đồng. Trong đó, ủng hộ trực tiếp vào Quỹ “Vì người nghèo” các cấp hơn 14,5 tỷ đồng.",
        "expected": [(112_700 * M, VNN), (14_500 * M, VNN)],
    },
    {
        "url": "http://ubmttq.camau.gov.vn/ban-van-dong-quy-vi-nguoi-ngheo-tinh-va-ban-van-dong-cuu-tro-tinh-to-chuc-hoi-nghi-tong-ket-cong-tac-nam-2023.1605.1605",
        "text": "Thông qua các hình thức, Quỹ “Vì người nghèo” tỉnh năm 2022 chuyển sang và năm 2023 đã tiếp nhận là 20.535.594.126 đồng; Chi trong năm 10.655.459.443 đồng. Quỹ Cứu trợ năm 2022 chuyển sang và năm 2023 đã tiếp nhận là 12.842.683.581 đồng; Chi trong năm 3.855.000.000 đồng.",
        "expected": [
            (20_535_594_126, VNN),
            (10_655_459_443, CHI),
            (12_842_683_581, CUU),
            (3_855_000_000, None),
        ],
    },
    {
        "url": "http://cand.com.vn/nhip-cau-nhan-ai/Huy-dong-cong-dong-ung-ho-quy-Ngay-vi-nguoi-ngheo-369615/",
        "text": "Theo Ủy ban MTTQ tỉnh Phú Thọ, tính đến cuối tháng 9/2015, tổng số “Quỹ vì người nghèo” và chương trình an sinh xã hội của tỉnh đã thu được trên 12,8 tỷ đồng, trong đó Quỹ “Vì người nghèo” cấp tỉnh là 4,2 tỷ đồng; Quỹ “Vì người nghèo” cấp huyện và xã là trên 8,6 tỷ đồng.",
        "expected": [(12_800 * M, VNN), (4_200 * M, VNN), (8_600 * M, VNN)],
    },
    {
        "url": "http://ubmttqvn.binhthuan.dcs.vn/Trang-ch%E1%BB%A7/20203/202299",
        "text": 'Năm 2019, Quỹ "Vì người nghèo" các cấp trong huyện vận động trên 869 triệu đồng. Từ nguồn Quỹ này đã xây dựng 35 căn nhà Đại đoàn kết cho hộ nghèo, trị giá 1.050 triệu đồng; đồng thời dịp Tết Nguyên đán Canh Tý 2020 cũng trích Quỹ tặng 776 phần quà, trị giá 388 triệu đồng cho hộ nghèo.',
        "expected": [(869 * M, VNN), (35, XAY), (1050 * M, None), (776, QUA), (388 * M, CHI)],
    },
    {
        "url": "http://ubmttqvn.binhthuan.dcs.vn/Trang-ch%E1%BB%A7/20203/202299",
        "text": 'Ngoài ra, Ban vận động Quỹ "Vì người nghèo" cấp huyện, cấp xã tích cực vận động xây dựng thêm 08 căn nhà trị giá 360 triệu đồng cho người nghèo, trao tặng 51 chiếc xe đạp, 45 bộ quần áo, 50 chiếc cặp, 2.000 quyển vở tổng trị giá 127 triệu đồng, trao tặng 172 suất học bổng trị giá 86,1 triệu đồng cho các em học sinh nghèo trong huyện.',
        "expected": [
            (8, XAY),
            (360 * M, None),
            (51, None),
            (45, None),
            (50, None),
            (2000, None),
            (127 * M, None),
            (172, "hoc_bong"),
            (86_100_000, None),
        ],
    },
    {
        "url": "http://quangngai.org.vn/print.aspx?postid=3334",
        "text": "Năm 2017, Quỹ “Vì người nghèo” các cấp trong huyện đã huy động được số tiền hơn 2,1 tỷ đồng, đạt 195% kế hoạch đề ra. Từ nguồn huy động được, Ban vận động đã hỗ trợ xây dựng 20 nhà đại đoàn kết và hỗ trợ sửa chữa nhà ở cho 11 hộ nghèo; hỗ trợ 49 con bò giống cho hộ nghèo, hỗ trợ quà tết cho hộ nghèo và hộ cận nghèo. Ngoài ra, Ban vận động đã huy động hỗ trợ trực tiếp không qua Quỹ “Vì người nghèo” gần 1 tỷ đồng.",
        "expected": [
            (2_100 * M, VNN),
            ("195", None),
            (20, XAY),
            (11, SUA),
            (49, None),
            (1 * B, None),
        ],
    },
    {
        "url": "http://baoquangnam.vn/xa-hoi/mat-tran-que-son-van-dong-35-ty-dong-quy-vi-nguoi-ngheo-106304.html",
        "text": "Mặt trận huyện vận động được 3,5 tỷ đồng Quỹ vì người nghèo. Từ nguồn kinh phí này đã trao tặng 2 nhà ở cho huyện kết nghĩa Thọ Xuân (tỉnh Thanh Hóa); hỗ trợ xây dựng 10 nhà đại đoàn kết và trợ cấp khó khăn 3.279 suất quà cho người nghèo; tặng 11 sổ tiết kiệm cho nạn nhân chất độc da cam.",
        "expected": [(3_500 * M, VNN), (2, XAY), (10, XAY), (3279, QUA), (11, None)],
    },
    {
        "url": "http://baoquangnam.vn/xa-hoi/mat-tran-que-son-van-dong-35-ty-dong-quy-vi-nguoi-ngheo-106304.html",
        "text": "Đối với công tác cứu trợ, Mặt trận huyện kịp thời thống kê, báo cáo và tiếp nhận hơn 1,6 tỷ đồng từ Ban Cứu trợ tỉnh phân bổ để hỗ trợ xây dựng, sửa chữa nhà ở, hỗ trợ các trường hợp không may tử nạn, bị thương tích do bão lụt. Đồng thời tiếp nhận quà, tiền từ các tổ chức từ thiện và trao trực tiếp cho hơn 1.400 hộ dân gặp khó khăn do mưa lũ, ước tính gần 1,7 tỷ đồng.",
        "expected": [(1_600 * M, CUU), (1400, None), (1_700 * M, CUU)],
    },
    {
        "url": "https://baobinhduong.vn/phuong-tan-dinh-tx-ben-cat-trao-tang-80-phan-qua-cho-ho-ngheo-ho-can-ngheo-a277120.html",
        "text": "Theo đó, Ủy ban MTTQ Việt Nam phường đã trao tặng 80 phần quà gồm gạo, mì chay… với tổng trị giá 24 triệu đồng cho 80 hộ nghèo, hộ cận nghèo, hộ khó khăn trên địa bàn.",
        "expected": [(80, QUA), (24 * M, QUA_GT), (80, None)],
    },
    {
        "url": "https://baothanhhoa.vn/trao-tang-gan-30-000-suat-qua-tet-cho-nguoi-ngheo-nguoi-co-hoan-canh-kho-khan-273457.htm",
        "text": "Trong đó, Ủy ban Trung ương Mặt trận Tổ quốc Việt Nam bố trí phân bổ số lượng quà phục vụ hoạt động đi thăm, tặng quà Tết tại 34 tỉnh/thành phố của các đồng chí Lãnh đạo Đảng, Nhà nước, Mặt trận Tổ quốc Việt Nam là 10.200 suất quà với tổng số tiền 13,26 tỷ đồng gồm mỗi tỉnh 300 suất quà, mỗi suất quà trị giá 1 triệu đồng tiền mặt và 1 túi quà trị giá 300.000 đồng.",
        "expected": [
            (10_200, QUA),
            (13_260 * M, QUA_GT),
            (300, None),
            (1 * M, None),
            (300_000, None),
        ],
    },
    {
        "url": "https://baothanhhoa.vn/trao-tang-gan-30-000-suat-qua-tet-cho-nguoi-ngheo-nguoi-co-hoan-canh-kho-khan-273457.htm",
        "text": "Các đồng chí Lãnh đạo Ủy ban Trung ương Mặt trận Tổ quốc Việt Nam đi thăm, tặng quà tại 4 địa phương, mỗi địa phương 200 suất quà, mỗi suất quà 1 triệu đồng tiền mặt và 1 túi quà trị giá 300.000 đồng, như vậy tổng số là 800 suất quà với số tiền 1,04 tỷ đồng; đồng thời dự phòng 1.650 suất quà phục vụ Lãnh đạo Đảng, Nhà nước, Mặt trận Tổ quốc Việt Nam đi thăm hỏi, động viên nhân dân theo yêu cầu thực tế.",
        "expected": [
            (200, None),
            (1 * M, None),
            (300_000, None),
            (800, QUA),
            (1_040 * M, QUA_GT),
            (1650, None),
        ],
    },
    {
        "url": "https://thanhnien.vn/chung-vi-tet-viet-gan-ket-muon-mien-dang-dien-ra-tai-16-tinh-thanh-pho-185260115152642427.htm",
        "text": "Theo đó, 6.500 phần quà tết trị giá 900.000 đồng/suất đang được trao tận tay người dân và lực lượng biên phòng tại 16 tỉnh, thành trên cả nước.",
        "expected": [(6500, QUA), (900_000, None)],
    },
    {
        "url": "https://baolaocai.vn/dai-hoi-dai-bieu-mttq-tag16370.html",
        "text": "Theo thông tin từ Ủy ban MTTQ Việt Nam tỉnh, tính đến hết ngày 21/3, toàn tỉnh có 111/152 xã, phường, thị trấn đã hoàn thành tổ chức đại hội đại biểu Mặt trận Tổ quốc Việt Nam cấp xã, đạt tỷ lệ 73%.",
        "expected": [(111, None), (152, None), ("73", None)],
    },
    {
        "url": "http://daidoanket.vn/giam-sat-phan-bien/bac-ninh-ban-ttnd-giam-sathon-1200-vu-viec-tintuc419486",
        "text": "Bắc Ninh: Ban TTND giám sát hơn 1.200 vụ việc\nTheo thống kê, hiện trên địa bàn tỉnh có 126 ban thanh tra nhân dân (TTND) đảm nhận nhiệm vụ giám sát đầu tư của cộng đồng.",
        "expected": [(1200, TTND), (126, None)],
    },
    {
        "url": "http://daidoanket.vn/giam-sat-phan-bien/thai-nguyen-ban-thanh-tra-nhan-dan-giam-sat-2045-vu-viec-tintuc418928",
        "text": "Theo Ban Thường trực Ủy ban MTTQ tỉnh Thái Nguyên, toàn tỉnh hiện có 280 ban Thanh tra nhân dân và 250 ban Giám sát đầu tư của cộng đồng với số lượng trên 3.000 thành viên. Từ năm 2017 đến tháng 8/2018, các ban này đã tiến hành thanh tra, giám sát 2.045 vụ việc, trong đó phát hiện, kiến nghị với chính quyền các cấp, các cơ quan có thẩm quyền 169 vụ việc.",
        "expected": [(280, None), (250, None), (3000, None), (2045, TTND), (169, None)],
    },
    {
        "url": "https://baobariavungtau.com.vn/chinh-tri/202304/nang-cao-chat-luong-hoat-dong-thanh-tra-nhan-dan-976441",
        "text": "Sáng 20/4, Thường trực Ủy ban MTTQ Việt Nam TX.Phú Mỹ tổ chức hội nghị chuyên đề “Nâng cao chất lượng hoạt động của Ban thanh tra nhân dân, Ban giám sát đầu tư của cộng đồng” năm 2023 tại thị xã cho 55 đại biểu là đại diện một số phòng, ban, xã, phường trên địa bàn thị xã. Tổng số thành viên của Ban Thanh tra nhân dân, Ban Giám sát đầu tư là 165 người.",
        "expected": [(55, None), (165, None)],
    },
    {
        "url": "https://mttqquan5.vn/uy-ban-mat-tran-to-quoc-va-cac-doan-the-chinh-tri-xa-hoi-phuong-6-dang-ky-thi-dua-cac-cong-trinh-phuc-vu-nhan-dan.html",
        "text": "Ngoài ra, Khối Dân vận cũng đã đề xuất Đảng ủy phường khen thưởng cho 24 tập thể và 43 cá nhân đã có thành tích trong việc thực hiện tốt công tác Dân vận năm 2020.",
        "expected": [(24, KTT), (43, KCN)],
    },
    {
        "url": "https://phuong6tanbinh.gov.vn/dai-hoi-dai-bieu-mat-tran-to-quoc-phuong-6-lan-thu-xiv-nhiem-ky-2019-2024/",
        "text": "Ngày 16/3/2019, Uỷ ban Mặt trận Tổ quốc phường 6 đã tổ chức Đại hội lần thứ XIV nhiệm kỳ 2014- 2019. 81 đại biểu tiêu biểu đại diện cho các tổ chức thành viên, Ban công tác mặt trận khu phố, các cá nhân tiêu biểu đại diện cho các tầng lớp xã hội trên địa bàn phường đã về dự. Phong trào “Toàn dân đoàn kết xây dựng đời sống văn hoá ở khu dân cư” đem lại hiệu quả thiết thực; số hộ đạt danh hiệu gia đình văn hóa hàng năm tăng lên rõ rệt, có 8/8 khu phố đạt danh hiệu khu phố văn hóa.",
        "expected": [(81, None), (8, None), (8, None)],
    },
    {
        "url": "https://vncost.com/pho-thu-tuong-truong-hoa-binh-du-ngay-hoi-dai-doan-ket-toan-dan-tai-ha-noi",
        "text": "Vừa qua, nhân dân tổ dân phố số 6 đã chung tay, quyên góp ủng hộ đồng bào các tỉnh miền trung bị ảnh hưởng do bão lũ số tiền hơn 107 triệu đồng.",
        "expected": [(107 * M, CUU)],
    },
    {
        "url": "https://daidoanket.vn/hoi-tu-duoi-mai-nha-chung-mat-tran-10237682.html",
        "text": "Tại Hội nghị, 63 đại biểu xuất sắc nhất sẽ được tặng thưởng Bằng khen của Thủ tướng Chính phủ. UBTƯ MTTQ Việt Nam trao tặng Bằng khen cho 236 đại biểu tiêu biểu.",
        "expected": [(63, KCN), (236, KCN)],
    },
    {
        "url": "http://m.baomoi.com/tphcm-hoan-thanh-to-chuc-dai-hoi-mttq-cap-quan-huyen/c/2584385.epi",
        "text": "Theo đó, đã có 24/24 MTTQ quận, huyện toàn TP tổ chức xong đại hội với 125 vị được bầu vào Ban thường trực.",
        "expected": [(24, None), (24, None), (125, None)],
    },
    {
        "url": "https://baomoi.com/ha-noi-to-chuc-thanh-cong-dai-hoi-mat-tran-cap-huyen-c49364739.epi",
        "text": "Tính đến 15/6, đã có 28/30 quận, huyện, thị xã của Thành phố Hà Nội tổ chức thành công đại hội mặt trận cấp huyện nhiệm kỳ 2024 – 2029.",
        "expected": [(28, None), (30, None)],
    },
]
