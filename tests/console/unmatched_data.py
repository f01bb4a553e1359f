"""Synthetic unmatched messages (fictional): three campaigns of ten paraphrases, twenty unrelated."""
# ruff: noqa: E501

from __future__ import annotations

CAMPAIGNS: dict[str, list[str]] = {
    "electricity": [
        "Điện lực nhắn tin nói nhà tôi nợ tiền điện 3 tháng, sẽ cắt điện trong 2 giờ nếu không thanh toán ngay",
        "tôi nhận được tin nhắn của điện lực báo nợ tiền điện, yêu cầu thanh toán gấp kẻo bị cắt điện tối nay",
        "có số lạ xưng nhân viên điện lực gọi báo nhà em nợ tiền điện phải chuyển khoản không sẽ cắt điện",
        "dien luc nhan tin bao no tien dien qua han, bam vao link de thanh toan neu khong cat dien",
        "Nhân viên điện lực gọi bảo tiền điện tháng này chưa đóng, sắp cắt điện, bắt tải ứng dụng để thanh toán",
        "mẹ tôi nhận cuộc gọi từ điện lực nói nợ tiền điện và sẽ ngừng cấp điện nếu không thanh toán trong ngày",
        "bên điện lực nhắn zalo nói hóa đơn tiền điện quá hạn, cắt điện nếu không chuyển tiền thanh toán",
        "Có người tự xưng điện lực thông báo cắt điện vì nợ tiền điện, bảo chuyển tiền vào tài khoản để thanh toán",
        "tin nhắn báo cắt điện do chưa thanh toán tiền điện, kèm đường link để trả tiền điện",
        "Sáng nay điện lực gọi nói nhà em nợ tiền điện hai tháng, nếu không thanh toán sẽ cắt điện luôn",
    ],
    "parcel": [
        "Shipper gọi nói có bưu phẩm gửi cho tôi phải trả phí hải quan 2 triệu mới giao hàng",
        "có người xưng bưu điện bảo bưu phẩm của tôi bị giữ ở hải quan, phải nộp phí để nhận bưu phẩm",
        "em nhận tin nhắn nói bưu phẩm quốc tế đang bị hải quan giữ, cần đóng phí thông quan mới giao",
        "buu pham cua toi bi giu lai o hai quan, ho bat chuyen phi thong quan de nhan hang",
        "Họ bảo tôi có bưu phẩm từ nước ngoài, phải chuyển phí hải quan thì bưu điện mới giao hàng",
        "người lạ gọi báo bưu phẩm gửi từ Mỹ bị hải quan tạm giữ, yêu cầu nộp phí và thuế để nhận bưu phẩm",
        "nhân viên bưu điện gọi nói bưu phẩm có hàng cấm bị hải quan giữ, bắt đóng phí để giải quyết",
        "có tin nhắn báo bưu phẩm của em đang chờ thông quan, chuyển phí hải quan vào tài khoản để giao hàng",
        "tôi được báo có bưu phẩm quà tặng bị giữ tại hải quan, phải đóng phí thì mới nhận bưu phẩm",
        "Bưu điện gọi nói bưu phẩm bị hải quan giữ lại vì chưa nộp phí, họ đòi chuyển tiền phí ngay",
    ],
    "scholarship": [
        "Có người gọi nói con tôi được nhận học bổng, phải đóng phí hồ sơ 1 triệu để nhận học bổng",
        "nhà trường gọi báo con em trúng học bổng, yêu cầu chuyển tiền phí hồ sơ để làm thủ tục nhận học bổng",
        "tôi nhận cuộc gọi nói cháu được cấp học bổng du học, cần nộp phí xét hồ sơ học bổng trước",
        "ho goi bao con toi duoc hoc bong, bat dong phi ho so hoc bong truoc khi nhan tien",
        "Một người xưng giáo viên nói con tôi đạt học bổng, đề nghị chuyển phí hồ sơ nhận học bổng",
        "có số lạ báo con em được học bổng của quỹ giáo dục, phải đóng phí làm hồ sơ học bổng",
        "người ta gọi chúc mừng con tôi nhận học bổng và bảo nộp phí hồ sơ để được nhận học bổng",
        "Họ nói con tôi được chọn nhận học bổng toàn phần, cần chuyển khoản phí hồ sơ học bổng ngay hôm nay",
        "có người nhắn tin báo con được học bổng, phải nộp lệ phí hồ sơ để xét duyệt học bổng",
        "Phòng giáo dục gọi báo con em có học bổng, yêu cầu đóng phí hồ sơ nhận học bổng qua tài khoản",
    ],
}

UNRELATED: list[str] = [
    "cho tôi hỏi làm căn cước công dân gắn chip ở đâu vậy",
    "hôm qua tôi đi chợ bị mất ví, có ai nhặt được không",
    "con trai tôi nghiện chơi game suốt ngày, phải làm sao",
    "ở phường tôi hay có trộm chó ban đêm, báo cho ai",
    "xe máy của tôi bị dắt mất trước cửa nhà lúc sáng sớm",
    "tôi muốn đăng ký tạm trú cho người thuê trọ thì làm thế nào",
    "hàng xóm mở nhạc karaoke quá to tới khuya không ngủ được",
    "làm sao để đổi giấy phép lái xe sang thẻ mới",
    "có đám đông tụ tập đua xe trên đường lớn mỗi tối thứ bảy",
    "tôi quên mật khẩu tài khoản dịch vụ công quốc gia",
    "cây đổ chắn ngang đường sau cơn bão ai dọn giúp",
    "đèn giao thông ở ngã tư bị hỏng mấy hôm nay rồi",
    "cho hỏi lịch tiêm vắc xin cho trẻ nhỏ ở trạm y tế",
    "nhà bên cạnh đốt rác khói bay sang rất khó chịu",
    "tôi muốn tố cáo quán nhậu lấn chiếm vỉa hè",
    "ông ngoại tôi đi lạc từ chiều chưa về, mặc áo xanh",
    "cho hỏi thủ tục khai sinh cho con cần giấy tờ gì",
    "chó nhà hàng xóm cắn người mà không ai chịu trách nhiệm",
    "nước sinh hoạt bị đục mấy ngày nay có ai kiểm tra không",
    "đường trước trường học có nhiều ổ gà rất nguy hiểm",
]
