"""General vocabulary for matching a question's words to a report's: synonyms, abbreviations
and their full forms (营收 -> 营业收入, 规上 -> 规模以上, EPS -> earnings per share), English <-> Chinese
pairs, abbreviations a report defines itself ("以下简称…", '(the "Company")'), and a soft
character-n-gram match that does not depend on word segmentation.

Everything here is general business, statistics, finance and market-research language, never
the wording of one report. The tables are data; the functions are cached, as the answerer and
retrieval call them for every question.
"""
from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

# Groups of interchangeable terms, the formal (report) term first; "|" separates members.
# Measures: what a figure is (an amount, a rate, a count), as opposed to what it is about.
MEASURE_GROUPS = (
    # income statement
    "营业收入|营业总收入|营收|收入|销售收入|营业额|主营业务收入|主营收入|总营收|总收入",
    "销售额|销售总额|销售收入|销售规模|销售金额|总销售额|卖了多少钱|卖了多少|卖多少钱",
    "营业成本|营业总成本|主营业务成本|销售成本|经营成本",
    "成本|费用|开支",
    "毛利|毛利润|销售毛利|毛利额",
    "毛利率|销售毛利率|综合毛利率|毛利润率",
    "净利润|净利|纯利润|纯利|净赚|赚了多少|赚了多少钱|赚多少|赚钱",
    "归属于上市公司股东的净利润|归母净利润|归母净利|归属于母公司所有者的净利润|归属于母公司股东的净利润|"
    "归属母公司股东的净利润|归属于上市公司股东净利润|归母",
    "归属于上市公司股东的扣除非经常性损益的净利润|扣非净利润|扣非净利|扣非后净利润|扣非归母净利润|"
    "扣除非经常性损益后的净利润|扣非后归母净利润|扣非",
    "非经常性损益|非经常损益|非经常性损益合计",
    "营业利润|经营利润|营业盈利",
    "利润总额|税前利润|总利润|利润额",
    "利润|盈利|获利|收益",
    "净利率|净利润率|销售净利率|净利润率水平",
    "利润率|盈利率|营业利润率|营收利润率|营业收入利润率",
    "净资产收益率|ROE|加权平均净资产收益率|权益报酬率|股东权益回报率|净资产回报率",
    "总资产收益率|ROA|资产回报率|总资产报酬率|资产收益率",
    "每股收益|EPS|基本每股收益|稀释每股收益|每股盈利|每股净利润|每股赚多少钱|每股赚多少|每股赚",
    "每股净资产|BPS|归属于上市公司股东的每股净资产",
    "每股经营活动产生的现金流量净额|每股经营现金流|每股现金流",
    "经营活动产生的现金流量净额|经营现金流|经营性现金流|经营活动现金流量净额|经营现金流量净额|"
    "经营性现金流量净额|经营活动现金流|经营活动净现金流|经营净现金流",
    "投资活动产生的现金流量净额|投资现金流|投资活动现金流量净额|投资活动现金流|投资性现金流",
    "筹资活动产生的现金流量净额|筹资现金流|融资现金流|筹资活动现金流量净额|筹资活动现金流",
    "现金及现金等价物净增加额|现金净增加额|现金净流量",
    "自由现金流|FCF|自由现金流量",
    "资本开支|资本支出|资本性支出|购建固定资产、无形资产和其他长期资产支付的现金|CAPEX",
    "息税前利润|EBIT",
    "息税折旧摊销前利润|EBITDA",
    "折旧与摊销|折旧摊销|D&A|折旧和摊销",
    "折旧|折旧费用|固定资产折旧",
    "研发投入|研发费用|研发支出|研究开发费用|研发经费|研究与试验发展经费|R&D经费|研发投入金额|R&D",
    "研发投入强度|研发强度|研发投入占营业收入比例|研发费用率|研发投入占比",
    "销售费用|营销费用|销售开支|市场推广费",
    "管理费用|管理开支",
    "财务费用|利息费用|利息支出",
    "期间费用|三费",
    "所得税|所得税费用|企业所得税",
    "税金及附加|营业税金及附加",
    "资产减值损失|资产减值|减值损失",
    "信用减值损失|信用减值",
    "投资收益|投资回报",
    "其他收益|政府补助",
    # balance sheet
    "总资产|资产总额|资产总计|资产规模|总资产规模",
    "总负债|负债总额|负债合计|负债",
    "净资产|所有者权益|股东权益|所有者权益合计|股东权益合计|权益",
    "归属于上市公司股东的净资产|归母净资产|归属于母公司所有者权益|归属于母公司股东权益|归属于母公司股东的净资产",
    "资产负债率|负债率|负债比率",
    "流动比率|流动资产比率",
    "速动比率|酸性测试比率",
    "货币资金|现金|现金余额|账上现金|现金及现金等价物",
    "应收账款|应收款|应收款项|应收账款余额|应收",
    "应收账款周转天数|回款天数|回款周期|平均回款天数|回款时间|应收账款周转期|回款期|回款",
    "应收账款周转率|应收周转率|回款速度|应收账款周转次数",
    "回款|销售回款|资金回笼|货款回收|回笼资金",
    "存货|库存|存货余额",
    "存货周转天数|库存周转天数|存货周转期",
    "存货周转率|库存周转率|存货周转次数",
    "应付账款|应付款|应付款项",
    "商誉|商誉净值",
    "固定资产|固定资产净值",
    "无形资产|无形资产净值",
    "短期借款|短期贷款",
    "长期借款|长期贷款",
    "有息负债|带息负债|借款总额",
    # shareholders and dividends
    "现金分红|分红|派息|派现|股息|红利|现金红利|分红派息|利润分配|分配股利|分红总额",
    "分红比例|股利支付率|派息率|分红率",
    "股息率|股息收益率",
    "股东总数|股东户数|股东人数|普通股股东总数|股东数",
    "持股比例|持股比|持股占比|持股比率",
    "持股数量|持股数|持有股份数量",
    "总股本|股本|股本总额|股份总数",
    "市值|总市值|公司市值",
    "市盈率|PE|P/E|市盈率(TTM)",
    "市净率|PB|P/B",
    "估值|估价|价值评估",
    # people
    "员工人数|职工人数|在职员工|员工总数|员工数|在职员工人数|员工数量|职工总数",
    "从业人员|从业人数|从业人员数|就业人员|就业人数",
        "薪酬|工资|薪资|报酬",
    # growth, change, comparison
    "增速|增长率|增幅|增长|增长速度|涨幅|同比增长|增长了|增加|提高|上升|上涨|增长幅度|涨了多少|涨了|涨多少|增长多少|增加了多少|增减|比上年增减|本年比上年增减|增减变动|变动幅度",
    "下降|减少|降低|下滑|回落|降幅|跌幅|下跌|同比下降|减少了|下降了",
    "同比增长|比上年增长|较上年增长|比上年同期增长|较上年同期增长|同比增加|比上年增加|较上年增加",
    "同比下降|比上年下降|较上年下降|比上年同期下降|同比减少|比上年减少|较上年减少",
    "价格指数|物价指数",
    "同比|比上年|比上年同期|较上年|较上年同期|与上年相比|比去年|较去年|比去年同期|较去年同期|同比变动|同比变化",
    "环比|比上月|较上月|比上季度|较上季度|与上月相比",
    "复合增长率|CAGR|年均复合增长率|年复合增长率|年均增长率|年均增速|年均增幅",
    "百分点|个百分点|pct",
    "占比|比重|份额|比例|所占比重|占总额比重|占有率|所占比例",
    "市场份额|市场占有率|市占率|份额",
    "规模|总额|总量|盘子|体量|总规模|总值",
    "合计|总计|共计",
    "市场规模|行业规模|市场容量|市场体量|市场空间|行业盘子|市场总量|市场销售额|市场销售规模|销售规模",
    "渗透率|普及率|覆盖率",
    "集中度|行业集中度|市场集中度",
    "连锁率|连锁化率|零售连锁率",
    # macro and official statistics
    "地区生产总值|GDP|国内生产总值|生产总值|经济总量",
    "居民消费价格|CPI|居民消费价格指数|消费者物价指数|消费价格指数|物价指数",
    "工业生产者出厂价格|PPI|工业生产者出厂价格指数|生产者价格指数|出厂价格",
    "社会消费品零售总额|社零|社零总额|社会零售总额|消费品零售总额|社消零",
    "零售额|零售总额|零售销售额",
    "固定资产投资|固投|全社会固定资产投资|固定资产投资额|固定资产投资总额",
    "工业增加值|规模以上工业增加值|规上工业增加值",
    "增加值|附加值",
    "产值|总产值|生产值|工业总产值",
    "进出口|进出口总额|外贸|外贸总额|货物进出口总额|进出口额|对外贸易|外贸进出口",
    "出口|出口额|出口总额|货物出口|出口金额",
    "进口|进口额|进口总额|货物进口|进口金额",
    "贸易顺差|顺差",
    "居民人均可支配收入|人均可支配收入|可支配收入",
    "城镇调查失业率|失业率|调查失业率",
    "城镇化率|城市化率",
    "常住人口|人口|人口总数|总人口",
    "财政收入|一般公共预算收入",
    "财政支出|一般公共预算支出",
    "税收|税收收入|税费|税金",
    "投资|投资额|投资总额|投入|投资规模",
    "产量|产出|生产量|产出量",
    "产能|生产能力|产能规模|设计产能",
    # "卖了多少辆" counts what was sold; "卖了多少(钱)" (in 销售额 above) is an amount
    "销量|销售量|出货量|销售数量|出货|卖了多少辆|卖了多少台|卖了多少吨|卖了多少件|卖了多少套|卖了多少部|卖出多少",
    "价格|价钱|售价|单价|定价",
    "均价|平均价格|平均单价|平均售价",
    "订单量|订单数|订单数量",
    "用户数|用户规模|用户数量|客户数",
    "数量|个数|总数",
    "面积|建筑面积|总面积",
    # tourism, culture, hospitality
    "人次|人数次|人次数",
    "游客人次|旅游人次|接待人次|出游人次|游客量|游客数量|游客人数|接待游客|旅游人数|出游人数",
    "国内旅游人次|国内出游人次|国内游客|国内旅游人数|国内游客人次",
    "入境游客|入境旅游人次|入境游客人次|入境旅游人数|入境游",
    "出境游客|出境旅游人次|出境游客人次|出境旅游人数|出境游",
    "旅游收入|旅游总收入|旅游花费|游客花费|旅游消费|出游花费|旅游总花费|游客总花费|旅游业收入",
    "国内旅游收入|国内旅游总花费|国内游客花费|国内旅游花费|国内游客出游总花费",
    "人均花费|人均消费|人均支出|人均旅游花费|每人花费|人均每次花费",
    "花费|消费|支出|开销|消费额|开支|花了多少钱|花了多少|花多少钱",
    "入住率|出租率|客房出租率|平均出租率|开房率|平均入住率",
    "平均房价|房价|每间夜房价|ADR|平均每间夜房价",
    "客房收入|房费收入|客房营业收入",
    "餐饮收入|餐饮营业收入",
    "门票收入|门票收入总额",
    "观众人次|观众人数",
    "演出场次|演出场数|场次",
    "票房|票房收入|电影票房|票房总额",
    "藏品数量|藏品数|文物藏品",
    "总藏量|藏书量|图书总藏量",
    # retail and distribution
    "门店数|门店数量|门店总数|网点数|网点数量|店铺数",
    "药店数量|零售药店数量|药店数|零售药店门店总数|药店总数",
    "毛利额|毛利总额",
    "周转率|周转次数",
    "周转天数|周转期",
)
# Subjects, qualifiers and fragments that users shorten ("规上", "归母") or say differently.
TERM_GROUPS = (
    "规模以上|规上|规模以上的",
    "限额以上|限上",
    "归属于上市公司股东|归母|归属于母公司|归属于母公司所有者|归属于母公司股东|归属母公司",
    "扣除非经常性损益|扣非|扣除非经常性损益后",
    "上市公司|A股公司|A股上市公司",
    "企业|公司|厂商|单位|法人单位",
    "文化企业|文化单位|文化机构",
    "文化及相关产业|文化产业|文化行业",
    "旅游|出游|旅行|游玩|旅游业",
    "旅行社|旅游社|旅行服务机构",
    "电影|影院|院线",
    "游客|旅客|旅游者|游人",
    "酒店|饭店|宾馆|旅馆|酒家",
    "星级饭店|星级酒店|星级宾馆",
    "景区|旅游景区|景点|风景区",
    "移动电话|手机|移动终端",
    "移动电话用户|手机用户|移动用户",
    "新建商品房|新房|一手房",
    "二手房|存量房",
    "商品房|商品住房",
    "A级景区|A级旅游景区",
    "药店|零售药店|药房|连锁药店|零售药房|药品零售企业门店",
    "门店|网点|零售门店|店铺|分店|门市|营业网点|零售网点|店面",
    "药师|执业药师|驻店药师",
    "药品流通|医药流通|药品流通行业|医药流通行业",
    "药品批发|医药批发|批发",
    "药品零售|医药零售|零售",
    "医药|药品|医药产品",
    "我国|中国|国内|全国|中华人民共和国",
    "地区|省市|省份|地方|区域|城市",
    "发布|出台|印发|颁布",
    "员工|职工|雇员|人员|从业者",
    "股东|持股人|股份持有人|股东总数|股东户数",
    "前十名股东|前10名股东|十大股东|前十大股东|前十名股东持股情况",
    "前十名无限售条件股东|前10名无限售条件股东|十大流通股东|前十大流通股东",
    "控股股东|大股东|第一大股东",
    "股东大会|股东会|股东大会会议",
    "董事长|董事局主席",
    "总经理|总裁|CEO",
    "实际控制人|实控人",
    "董事会|董事局",
    "子公司|附属公司|控股子公司",
    "报告期|本报告期|本期|本年度|报告期内|当期",
    "上年|上年同期|去年|上一年|去年同期|上年度",
    "年末|年底|期末|年终",
    "年初|期初",
    "上半年|半年度|H1|1-6月",
    "下半年|H2|7-12月",
    "第一季度|一季度|Q1|1季度|第1季度",
    "第二季度|二季度|Q2|2季度|第2季度",
    "第三季度|三季度|Q3|3季度|第3季度",
    "第四季度|四季度|Q4|4季度|第4季度",
    "全年|全年度|一年|年度",
    "产业链|供应链",
    "上游|上游产业",
    "下游|下游产业",
    "政策|措施|举措",
    "政府|地方政府",
    "消费者|顾客|客户",
    "线上|网上|互联网|电商",
    "线下|实体",
    "医疗机构|医院",
    "城镇|城市",
    "农村|乡村",
)
# English: the same, lower case unless an acronym.
EN_MEASURE_GROUPS = (
    "revenue|revenues|net sales|sales|turnover|total revenue|total revenues|net revenue|net revenues|"
    "top line|total net sales|operating revenue|operating revenues",
    "net income|net profit|net earnings|profit attributable|net income attributable|profit for the year|"
    "profit after tax|bottom line|earnings|net profit attributable|profit for the period",
    "net loss|net losses|loss for the year",
    "operating income|operating profit|income from operations|operating earnings|profit from operations",
    "operating loss|loss from operations",
    "gross profit|gross income",
    "gross margin|gross profit margin|gross margin percentage|gross margin rate",
    "margin|profit margin|margins",
    "operating margin|operating profit margin",
    "net margin|net profit margin|net income margin",
    "EPS|earnings per share|diluted EPS|basic EPS|diluted earnings per share|basic earnings per share|"
    "net income per share",
    "operating cash flow|cash flow from operations|cash flows from operations|net cash provided by operating activities|"
    "cash from operations|net cash from operating activities|cash flows from operating activities|"
    "cash flow from operating activities|net cash provided by (used in) operating activities|cash provided by operations",
    "investing cash flow|net cash used in investing activities|cash flows from investing activities|"
    "net cash provided by (used in) investing activities|cash flow from investing activities",
    "financing cash flow|net cash used in financing activities|cash flows from financing activities|"
    "net cash provided by (used in) financing activities|cash flow from financing activities",
    "free cash flow|FCF",
    "capex|capital expenditures|capital expenditure|capital spending|purchases of property and equipment|"
    "purchases of property, plant and equipment|additions to property and equipment",
    "YoY|year-over-year|year over year|year-on-year|year on year|compared to the prior year|from the prior year",
    "headcount|employees|number of employees|workforce|staff|full-time employees|personnel",
    "D&A|depreciation and amortization|depreciation & amortization|depreciation and amortisation",
    "depreciation|depreciation expense",
    "amortization|amortisation|amortization expense",
    "R&D|research and development|research & development|R&D expense|research and development expenses|"
    "research and development costs|R&D expenses",
    "SG&A|selling, general and administrative|selling, general and administrative expenses|"
    "selling general and administrative",
    "cost of revenue|cost of sales|cost of goods sold|COGS|cost of revenues|costs of revenue",
    "operating expenses|opex|operating costs|total operating expenses",
    "total assets|assets",
    "total liabilities|liabilities",
    "shareholders' equity|stockholders' equity|total equity|equity|shareholders equity|stockholders equity|"
    "total shareholders' equity|total stockholders' equity",
    "number of shareholders|number of holders|holders of record|shareholders of record",
    "dividend|dividends|dividends paid|cash dividend|cash dividends|payout|dividend payment",
    "payout ratio|dividend payout ratio",
    "EBITDA|earnings before interest, taxes, depreciation and amortization|adjusted EBITDA",
    "EBIT|earnings before interest and taxes",
    "ROE|return on equity",
    "ROA|return on assets",
    "ROIC|return on invested capital",
    "income tax|income taxes|tax expense|provision for income taxes|income tax expense|income tax provision",
    "effective tax rate|ETR|effective income tax rate",
    "accounts receivable|receivables|trade receivables|accounts receivable, net",
    "days sales outstanding|DSO|collection period|receivable days",
    "accounts payable|payables|trade payables",
    "inventory|inventories",
    "goodwill|goodwill, net",
    "intangible assets|intangibles",
    "cash and cash equivalents|cash|cash balance",
    "long-term debt|debt|borrowings|total debt",
    "interest expense|interest costs",
    "stock-based compensation|share-based compensation|stock compensation|equity-based compensation",
    "weighted average shares|weighted-average shares outstanding|weighted average shares outstanding|"
    "weighted average number of shares",
    "growth|increase|growth rate|rise|grew|increased|growth in",
    "decrease|decline|drop|fell|decreased|declined|reduction",
    "change|changes|difference|variance",
    "share|proportion|percentage|percent|portion",
    "market share|share of the market",
    "market size|size of the market|market scale|market value of the industry",
    "CAGR|compound annual growth rate",
    "percentage points|percentage point|pp|basis points",
    "trips|visits|person-times",
    "spending|expenditure|expenditures|spend|outlays",
    "expenses|expense|costs|cost",
    "price|prices|pricing",
    "average selling price|ASP|average price",
    "backlog|order backlog|orders on hand",
    "valuation|valuations",
    "market capitalization|market cap|market value",
    "gross domestic product|GDP",
    "consumer price index|CPI",
    "producer price index|PPI",
    "occupancy rate|occupancy|room occupancy|occupancy ratio",
    "average daily rate|ADR|average room rate|average rate per room",
    "RevPAR|revenue per available room",
    "number of visitors|visitor numbers|tourist arrivals|number of tourists|visitor arrivals",
    "tourism revenue|tourism income|tourism receipts|tourist spending",
    "retail sales|retail sales of consumer goods",
    "fixed asset investment|fixed-asset investment|fixed assets investment",
    "added value|value added|value-added",
    "sales volume|unit sales|units sold|shipments|volume",
    "number of stores|store count|store numbers",
    "penetration rate|penetration",
    "market concentration|concentration ratio|concentration",
    "unemployment rate|jobless rate",
)
EN_TERM_GROUPS = (
    "shareholders|stockholders|holders|shareholder|stockholder",
    "fiscal year|FY|financial year",
    "first quarter|Q1|1Q",
    "second quarter|Q2|2Q",
    "third quarter|Q3|3Q",
    "fourth quarter|Q4|4Q",
    "hotels|hotel|lodging",
    "tourists|visitors|travelers|travellers|tourist arrivals|tourist visits",
    "store|stores|outlets|shops",
    "pharmacies|pharmacy|drugstores|drug stores",
    "company|the company|corporation|firm",
    "subsidiary|subsidiaries",
    "cash flow|cash flows",
    "impairment|impairment loss|impairment charge|impairment charges",
    "restructuring|restructuring charges|restructuring costs",
)
# English <-> Chinese, both directions: "english|english = 中文|中文".
CROSS_LINGUAL = (
    "revenue|revenues|total revenue|operating revenue = 营业收入|收入|营收|营业总收入",
    "net sales = 营业收入|销售收入|销售额",
    "sales = 销售额|销售收入|销售",
    "turnover = 营业额|营业收入",
    "net income|net profit|net earnings|profit for the year = 净利润",
    "net income attributable|profit attributable|net profit attributable = 归属于上市公司股东的净利润|归母净利润",
    "net profit excluding non-recurring items|adjusted net income|recurring net profit = 扣除非经常性损益后的净利润|扣非净利润",
    "non-recurring items|non-recurring gains and losses = 非经常性损益",
    "operating income|operating profit = 营业利润",
    "total profit|profit before tax|pretax income|income before income taxes = 利润总额",
    "profit|profits = 利润",
    "gross profit = 毛利",
    "gross margin = 毛利率",
    "margin|profit margin = 利润率",
    "net margin = 净利率",
    "EPS|earnings per share = 每股收益",
    "basic EPS|basic earnings per share = 基本每股收益",
    "diluted EPS|diluted earnings per share = 稀释每股收益",
    "ROE|return on equity = 净资产收益率",
    "weighted average ROE = 加权平均净资产收益率",
    "ROA|return on assets = 总资产收益率",
    "operating cash flow|cash flow from operations|net cash provided by operating activities = "
    "经营活动产生的现金流量净额|经营现金流",
    "investing cash flow = 投资活动产生的现金流量净额",
    "financing cash flow = 筹资活动产生的现金流量净额",
    "free cash flow = 自由现金流",
    "capex|capital expenditures = 资本开支|资本支出",
    "cost of sales|cost of revenue = 营业成本",
    "cost|costs = 成本",
    "expenses = 费用",
    "selling expenses = 销售费用",
    "administrative expenses|general and administrative expenses = 管理费用",
    "financial expenses|finance costs = 财务费用",
    "R&D|research and development|R&D expenses = 研发投入|研发费用",
    "R&D intensity = 研发投入强度",
    "income tax = 所得税",
    "depreciation = 折旧",
    "D&A|depreciation and amortization = 折旧与摊销",
    "EBITDA = 息税折旧摊销前利润",
    "impairment = 减值|资产减值损失",
    "total assets = 总资产|资产总额",
    "assets = 资产",
    "total liabilities = 总负债|负债总额",
    "liabilities = 负债",
    "net assets|equity|shareholders' equity = 净资产|所有者权益|股东权益",
    "net assets attributable to shareholders = 归属于上市公司股东的净资产",
    "debt ratio|debt-to-asset ratio|leverage ratio = 资产负债率",
    "current ratio = 流动比率",
    "quick ratio = 速动比率",
    "cash|cash and cash equivalents = 货币资金|现金",
    "accounts receivable|receivables = 应收账款",
    "days sales outstanding|collection period|receivable days = 应收账款周转天数|回款天数",
    "receivables turnover = 应收账款周转率",
    "collection|collections = 回款",
    "inventory|inventories = 存货|库存",
    "inventory turnover = 存货周转率",
    "goodwill = 商誉",
    "shareholders|stockholders = 股东",
    "number of shareholders|number of holders = 股东总数|股东户数",
    "top ten shareholders|top 10 shareholders = 前十名股东|前10名股东",
    "controlling shareholder = 控股股东",
    "shareholding ratio|ownership percentage = 持股比例",
    "dividend|dividends|cash dividend = 分红|派息|现金分红|股息",
    "profit distribution = 利润分配",
    "payout ratio = 分红比例",
    "share capital|total shares = 总股本",
    "market value|market capitalization|market cap = 市值",
    "price-earnings ratio|P/E ratio = 市盈率",
    "valuation = 估值",
    "employees|headcount|staff = 员工|员工人数|职工",
    "number of employees = 员工人数|在职员工",
    "workers|practitioners|people employed = 从业人员",
    "salary|compensation = 薪酬",
    "hotels|hotel = 酒店|饭店|宾馆",
    "star-rated hotels = 星级饭店|星级酒店",
    "occupancy rate|occupancy = 出租率|入住率|客房出租率",
    "average room rate|average daily rate|ADR = 平均房价",
    "room revenue = 客房收入",
    "tourists|visitors|travelers = 游客|人次",
    "trips|tourist trips|visits = 人次|出游人次|旅游人次",
    "domestic tourists|domestic trips = 国内旅游人次|国内游客",
    "inbound tourists|inbound visitors = 入境游客",
    "outbound tourists = 出境游客",
    "tourism|travel = 旅游",
    "tourism revenue|tourism income|tourist spending = 旅游收入|旅游花费",
    "spending|expenditure|consumption = 花费|消费|支出",
    "per capita|average per person = 人均",
    "per capita spending = 人均花费|人均消费",
    "scenic spots|scenic areas|attractions = 景区",
    "museums|museum = 博物馆",
    "libraries|library|public libraries = 图书馆|公共图书馆",
    "cultural enterprises|culture companies = 文化企业",
    "culture = 文化",
    "performances = 演出",
    "growth|increase = 增长|增加",
    "growth rate = 增速|增长率|增幅",
    "decrease|decline = 下降|减少",
    "YoY|year-over-year|year-on-year = 同比",
    "month-on-month|sequential = 环比",
    "CAGR|compound annual growth rate = 复合增长率",
    "percentage points = 百分点",
    "share|proportion|percentage = 占比|比重|份额",
    "market share = 市场份额|市场占有率",
    "market size = 市场规模",
    "market = 市场",
    "size|scale = 规模",
    "total = 总额|合计|总计",
    "amount = 金额",
    "average = 平均",
    "GDP|gross domestic product = 国内生产总值|地区生产总值|GDP",
    "CPI|consumer price index|consumer prices = 居民消费价格|居民消费价格指数|CPI",
    "PPI|producer price index = 工业生产者出厂价格|PPI",
    "retail sales|retail sales of consumer goods = 社会消费品零售总额|零售额",
    "fixed asset investment|fixed-asset investment = 固定资产投资",
    "above designated size|above scale = 规模以上|规上",
    "industrial added value|industrial value added = 工业增加值",
    "added value|value added = 增加值",
    "output value = 产值",
    "imports and exports|foreign trade|total trade = 进出口|进出口总额|外贸",
    "exports = 出口",
    "imports = 进口",
    "disposable income = 可支配收入",
    "unemployment rate = 失业率",
    "population = 人口",
    "investment = 投资",
    "output|production = 产量",
    "capacity = 产能",
    "sales volume|shipments = 销量|出货量",
    "price|prices = 价格",
    "average price = 均价|平均价格",
    "users = 用户",
    "customers = 客户|消费者",
    "orders = 订单",
    "stores|outlets|shops = 门店|网点",
    "pharmacies|drugstores|retail pharmacies = 药店|零售药店|药房",
    "pharmacists|licensed pharmacists = 执业药师|药师",
    "drug distribution|pharmaceutical distribution = 药品流通|医药流通",
    "wholesale|wholesalers = 批发|批发企业",
    "retail|retailers = 零售|零售企业",
    "chain rate|chain store ratio = 连锁率",
    "pharmaceutical|pharmaceuticals|medicine|drugs = 医药|药品",
    "hospitals = 医院|医疗机构",
    "companies|company|enterprises|firms = 企业|公司",
    "listed company = 上市公司",
    "subsidiary|subsidiaries = 子公司",
    "board of directors = 董事会",
    "industry = 行业|产业",
    "industry chain|supply chain = 产业链",
    "upstream = 上游",
    "downstream = 下游",
    "midstream = 中游",
    "policy|policies = 政策",
    "government = 政府",
    "local government = 地方政府",
    "national = 全国|国家级",
    "provincial = 省级",
    "province = 省",
    "city|cities = 城市|市",
    "region|regions = 地区",
    "department = 部门",
    "ministry = 部",
    "China|Chinese|domestic|national = 我国|中国|国内|全国",
    "project|projects = 项目",
    "released|issued|published = 发布|印发",
    "online = 线上",
    "offline = 线下",
    "urban = 城镇",
    "rural = 农村",
    "quarter = 季度",
    "first quarter|Q1 = 第一季度|一季度",
    "second quarter|Q2 = 第二季度|二季度",
    "third quarter|Q3 = 第三季度|三季度",
    "fourth quarter|Q4 = 第四季度|四季度",
    "first half|H1 = 上半年",
    "second half|H2 = 下半年",
    "year|annual|full year = 全年|年度",
    "reporting period = 报告期",
    "prior year|previous year|last year = 上年|上年同期",
    "year-end|end of the year = 年末",
    "number|count = 数量",
    "area = 面积",
)

MAX_VARIANTS = 64  # a term with several known words could otherwise yield thousands of spellings
_MAX_ALTS = 8  # alternatives tried per known word inside a longer term (a lone word gets them all)
_MAX_EXPAND = 24
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RE = re.compile(f"[{_CJK}]")
_CJK_RUN = re.compile(f"[{_CJK}]+")
_LATIN_WORD = re.compile(r"[a-z0-9]+(?:&[a-z0-9]+)*")
_ALNUM = re.compile(r"[a-z0-9]")
_SPACE_IN_CJK = re.compile(f"(?<=[{_CJK}])\\s+(?=[{_CJK}])")
# words that join the parts of a measure ("营收的增速", "growth of revenue") without naming anything
_GLUE = frozenset("的 之 及 和 与 总 of the and in & - / total".split())
_EN_STOP = frozenset("the a an of and or in on for to by at from with as is are was were be what which "
                     "how much many did does do its their".split())
_RATE_HEADS = ("率", "额")  # "覆盖率", "交易额": a short word ending so names a rate or an amount


_FULL_WIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def normalise(text: str) -> str:
    """The form terms are compared in: NFKC (full-width letters and brackets to ASCII), case-folded,
    no spaces between Chinese characters (PDF line breaks), runs of spaces collapsed."""
    t = text.translate(_FULL_WIDTH)
    if not unicodedata.is_normalized("NFKC", t):  # full NFKC is slow; most text needs only the above
        t = unicodedata.normalize("NFKC", t)
    t = t.casefold().replace("\u2019", "'")
    t = _SPACE_IN_CJK.sub("", t)
    return re.sub(r"\s+", " ", t).strip()


def _is_cjk(text: str) -> bool:
    return bool(_CJK_RE.search(text))


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light English stemmer (plurals, -ed, -ing, final e): enough for 'revenues' to meet
    'revenue' and 'operating' to meet 'operated' in a soft match; not a linguistic tool."""
    w = word.casefold()
    for _ in range(3):
        new = _stem_once(w)
        if new == w:
            break
        w = new
    return w


def _stem_once(w: str) -> str:
    if len(w) <= 3:
        return w
    if w.endswith("'s"):
        return w[:-2]
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith(("sses", "xes", "ches", "shes")):
        return w[:-2]
    if w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    if w.endswith("ing") and len(w) > 5:
        return w[:-3]
    if w.endswith("ed") and len(w) > 4:
        return w[:-2]
    if w.endswith("e") and len(w) > 4:
        return w[:-1]
    return w


def _plurals(key: str) -> list[str]:
    """Inflected spellings of an English key's last word, so 'net revenues' finds 'net revenue'."""
    if not key[-1:].isalpha() or not key.isascii() or key.upper() == key:
        return []
    if key.endswith("y") and not key.endswith(("ay", "ey", "oy")):
        return [key[:-1] + "ies"]
    if key.endswith("s"):
        return [key[:-1]] if not key.endswith("ss") else []
    return [key + "s", key + "es"] if key.endswith(("x", "ch", "sh")) else [key + "s"]


@dataclass(eq=False, frozen=True)
class _Lexicon:
    """Known words, each with the display forms that may stand for it (the formal term first)."""

    alts: dict[str, tuple[str, ...]]
    starts: dict[str, tuple[str, ...]]  # first character -> keys beginning with it, longest first

    @classmethod
    def build(cls, pairs: Iterable[tuple[str, Iterable[str]]]) -> "_Lexicon":
        alts: dict[str, dict[str, str]] = {}
        norms: dict[str, str] = {}  # a group's forms recur once per word of the group
        for word, forms in pairs:
            key = normalise(word)
            if len(key) < 2:  # one character ("占", "省") is part of too many other words
                continue
            slot = alts.setdefault(key, {})
            for form in forms:
                norm = norms.get(form)
                if norm is None:
                    norm = norms[form] = normalise(form)
                slot.setdefault(norm, form)
        for key in list(alts):
            for inflected in _plurals(key):
                alts.setdefault(inflected, alts[key])
        starts: dict[str, list[str]] = {}
        for key in alts:
            starts.setdefault(key[0], []).append(key)
        return cls({k: tuple(v.values()) for k, v in alts.items()},
                   {c: tuple(sorted(ks, key=len, reverse=True)) for c, ks in starts.items()})

    def segments(self, norm: str) -> list[tuple[str, tuple[str, ...] | None]]:
        """`norm` cut into known words (with their forms) and the text between them, taking the
        longest known word at each position; an English key must stand as a whole word."""
        out: list[tuple[str, tuple[str, ...] | None]] = []
        gap: list[str] = []
        i = 0
        while i < len(norm):
            hit = None
            if not (_ALNUM.match(norm[i]) and i and _ALNUM.match(norm[i - 1])):
                for key in self.starts.get(norm[i], ()):
                    end = i + len(key)
                    if norm.startswith(key, i) and not (
                            _ALNUM.match(key[-1]) and end < len(norm) and _ALNUM.match(norm[end])):
                        hit = key
                        break
            if hit is None:
                gap.append(norm[i])
                i += 1
                continue
            if gap:
                out.append(("".join(gap), None))
                gap = []
            out.append((hit, self.alts[hit]))
            i += len(hit)
        if gap:
            out.append(("".join(gap), None))
        return out


def _groups(table: Iterable[str]) -> list[list[str]]:
    return [[w.strip() for w in line.split("|") if w.strip()] for line in table]


_MEASURE = _groups(MEASURE_GROUPS) + _groups(EN_MEASURE_GROUPS)
_ALL_GROUPS = _MEASURE + _groups(TERM_GROUPS) + _groups(EN_TERM_GROUPS)
_STATIC = _Lexicon.build((w, g) for g in _ALL_GROUPS for w in g)
_MEASURES = _Lexicon.build((w, g) for g in _MEASURE for w in g)


def _translation_pairs():
    for line in CROSS_LINGUAL:
        en, zh = (side.split("|") for side in line.split("="))
        en, zh = [w.strip() for w in en if w.strip()], [w.strip() for w in zh if w.strip()]
        yield from ((w, zh) for w in en)
        yield from ((w, en) for w in zh)


_TRANSLATIONS = _Lexicon.build(_translation_pairs())


def _freeze(learned: Mapping[str, str] | None) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(learned.items())) if learned else ()


@lru_cache(maxsize=32)
def _lexicon(learned: tuple[tuple[str, str], ...]) -> _Lexicon:
    """The static vocabulary plus a report's own abbreviations (cached per report's mapping)."""
    if not learned:
        return _STATIC
    own = [(w, (full, abbr)) for abbr, full in learned for w in (full, abbr)]
    return _Lexicon.build(own + list(_STATIC.alts.items()))  # the report's own forms come first


def variants(term: str, learned: Mapping[str, str] | None = None) -> frozenset[str]:
    """The term, its synonyms, full forms and abbreviations, also for a term that contains known
    words ("规上文化企业营收" -> "规模以上文化企业营业收入", ...); at most MAX_VARIANTS forms.
    Latin forms may differ in case from a text: compare with `normalise`."""
    return _variants(term, _lexicon(_freeze(learned)))


@lru_cache(maxsize=8192)
def _variants(term: str, lex: _Lexicon) -> frozenset[str]:
    norm = normalise(term)
    out = {norm: term}
    segs = lex.segments(norm)
    slots = [i for i, (_, alts) in enumerate(segs) if alts]
    if not slots:
        return frozenset(out.values())
    per_slot = max(_MAX_ALTS, MAX_VARIANTS // len(slots))
    choices = {i: [a for a in segs[i][1] if normalise(a) != segs[i][0]][:per_slot] for i in slots}

    def add(picks: dict[int, str]) -> bool:
        text = "".join(picks.get(i, piece) for i, (piece, _) in enumerate(segs))
        out.setdefault(normalise(text), text)
        return len(out) >= MAX_VARIANTS

    # every word in its formal term first: that is the spelling a report most likely uses
    if add({i: segs[i][1][0] for i in slots}):
        return frozenset(out.values())
    for level in range(1, len(slots) + 1):
        for chosen in itertools.combinations(slots, level):
            for picks in itertools.product(*(choices[i] for i in chosen)):
                if add(dict(zip(chosen, picks))):
                    return frozenset(out.values())
    return frozenset(out.values())


def known_terms(text: str, learned: Mapping[str, str] | None = None) -> list[str]:
    """The vocabulary's words found in `text`, longest first at each position ("前十大股东")."""
    return [seg for seg, forms in _lexicon(_freeze(learned)).segments(normalise(text)) if forms]


def expand(text: str, learned: Mapping[str, str] | None = None, translate: bool = False,
           depth: int = _MAX_ALTS) -> list[str]:
    """Phrases to add to a question for retrieval: the formal terms (and other forms) of the
    everyday words and abbreviations found in it, those the text lacks, formal terms first.
    With `translate`, also the other language's words for them (a Chinese report asked in English).
    `depth` caps how many of each word's forms are tried (1: its formal term only)."""
    norm = normalise(text)
    found = [alts for _, alts in _lexicon(_freeze(learned)).segments(norm) if alts]
    if translate:
        found += [alts for _, alts in _TRANSLATIONS.segments(norm) if alts]
    out: dict[str, str] = {}
    for depth in range(min(depth, _MAX_ALTS)):  # round-robin so every word found gets its formal term in
        for alts in found:
            if depth < len(alts):
                key = normalise(alts[depth])
                if key not in norm and len(key) > 1:
                    out.setdefault(key, alts[depth])
            if len(out) >= _MAX_EXPAND:
                return list(out.values())
    return list(out.values())


def cross_lingual(term: str) -> frozenset[str]:
    """Translations of a term: Chinese words for an English one and English for a Chinese one.
    A compound with no entry of its own is put together from its parts' translations."""
    return _cross_lingual(term)


@lru_cache(maxsize=4096)
def _cross_lingual(term: str) -> frozenset[str]:
    zh = _is_cjk(term)
    forms = [normalise(term)] + sorted(normalise(v) for v in variants(term))
    out: dict[str, str] = {}
    for form in forms:
        for t in _TRANSLATIONS.alts.get(form, ()):
            out.setdefault(normalise(t), t)
    if not out:
        for t in _compose(normalise(term), zh):
            out.setdefault(normalise(t), t)
    # a translated synonym may be a same-language acronym ("GDP"): keep the other language only
    return frozenset(t for t in out.values() if _is_cjk(t) != zh)


def _compose(norm: str, zh: bool, limit: int = 8) -> list[str]:
    """'hotel occupancy rate' -> '酒店出租率': modifier-head order holds in both languages;
    'X of Y' is turned round first. Every word must be known, else nothing."""
    if not zh:
        m = re.fullmatch(r"(.+?) of (?:the )?(.+)", norm)
        if m:
            norm = f"{m.group(2)} {m.group(1)}"
    parts: list[tuple[str, ...]] = []
    for piece, alts in _TRANSLATIONS.segments(norm):
        if alts:
            parts.append(alts[:2])
        elif any(w not in _GLUE for w in (piece.split() if not zh else [piece.strip()]) if w):
            return []
    if len(parts) < 2:
        return []
    joiner = " " if zh else ""
    return [joiner.join(p) for p in itertools.islice(itertools.product(*parts), limit)]


def same_meaning(a: str, b: str, learned: Mapping[str, str] | None = None) -> bool:
    """Whether two terms name the same thing: equal once normalised, synonyms, abbreviation and
    full form (also the report's own), or translations of each other."""
    na, nb = normalise(a), normalise(b)
    if not na or not nb:
        return False
    if na == nb or (not _is_cjk(na) and not _is_cjk(nb) and _stems(na) == _stems(nb)):
        return True
    va = {normalise(v) for v in variants(a, learned)}
    vb = {normalise(v) for v in variants(b, learned)}
    if nb in va or na in vb:
        return True
    xa = {normalise(x) for x in cross_lingual(a)}
    xb = {normalise(x) for x in cross_lingual(b)}
    return bool(xa & vb or xb & va)


def _stems(norm: str) -> tuple[str, ...]:
    return tuple(stem(w) for w in _LATIN_WORD.findall(norm) if w not in _EN_STOP)


def is_measure(term: str) -> bool:
    """Whether the term names a measure (营收, 增速, 占比, revenue, margin, 营收增速) rather than
    a subject (文化企业, 药店) or a subject with its measure (文化企业营收: see `split_measure`)."""
    norm = normalise(term)
    if not norm:
        return False
    segs = _MEASURES.segments(norm)
    if any(alts for _, alts in segs) and all(alts or _glue(piece) for piece, alts in segs):
        return True
    return _is_cjk(norm) and len(norm) <= 4 and norm.endswith(_RATE_HEADS) and not _CJK_RE.sub("", norm)


def _glue(piece: str) -> bool:
    words = piece.split() if not _is_cjk(piece) else [piece.strip()]
    return all(not w or w in _GLUE or not _ALNUM.search(w) and not _CJK_RE.search(w) for w in words)


def split_measure(term: str) -> tuple[str, str]:
    """(subject, measure) of a term: '规上文化企业营收' -> ('规上文化企业', '营收'),
    'revenue of hotels' -> ('hotels', 'revenue'). Either part may be ''. Parts are normalised."""
    norm = normalise(term)
    if is_measure(norm):
        return "", norm
    m = re.fullmatch(r"(.+?) of (?:the )?(.+)", norm)
    if m and is_measure(m.group(1)):
        return m.group(2), m.group(1)
    for i in range(1, len(norm)):
        if norm[i] in "的之 ":
            continue
        if norm[i - 1] == " " or _is_cjk(norm[i]) or not _ALNUM.match(norm[i - 1]):
            if is_measure(norm[i:]):
                return norm[:i].rstrip(" 的之"), norm[i:].strip()
    return norm, ""


def char_ngrams(text: str, n: int = 2) -> set[str]:
    """The units a soft match counts: character n-grams of each run of Chinese characters (a
    run shorter than n counts as itself) and the stemmed Latin words and numbers."""
    return set(_units(text, n))


@lru_cache(maxsize=16384)
def _units(text: str, n: int = 2) -> frozenset[str]:
    return _compute_units(text, n)


@lru_cache(maxsize=512)  # passages are long and many: fewer of them cached than of terms
def _text_units(text: str) -> frozenset[str]:
    return _compute_units(text, 2)


def _compute_units(text: str, n: int) -> frozenset[str]:
    norm = normalise(text)
    out: set[str] = set()
    for run in _CJK_RUN.findall(norm):
        if len(run) <= n:
            out.add(run)
        elif n == 2:
            out.update(map(str.__add__, run[:-1], run[1:]))
        else:
            out.update(run[i:i + n] for i in range(len(run) - n + 1))
    out.update(stem(w) for w in set(_LATIN_WORD.findall(norm)) - _EN_STOP)
    return frozenset(out)


def ngram_overlap(term: str, text: str, learned: Mapping[str, str] | None = None, *,
                  synonyms: bool = True) -> float:
    """Share of the term's units (`char_ngrams`) found in the text, 0..1: a match that survives
    word segmentation ("营收" in "营收多少", "营业收入" in "营业收入为"). With `synonyms`, the best
    share over the term's `variants`, so "营收" also meets "营业收入为"."""
    have = _text_units(text)
    best = 0.0
    for form in (variants(term, learned) if synonyms else (term,)):
        units = _units(form)
        if units:
            best = max(best, len(units & have) / len(units))
            if best == 1.0:
                break
    return best


# --- terms a report defines itself -------------------------------------------------------------
_NAME_Q = r"[\"“「『‘']\s*([^\"“”「」『』‘’'\n()（）]{1,40}?)\s*[\"”」』’']"
_ZH_DEF = re.compile(r"[(（]\s*(?:以下|下文|后文|下)?\s*(?:简称|合称|统称|称)\s*(?:为|:|：)?\s*"
                     r"([^()（）\n]{1,60}?)\s*[)）]")
_NAME_QN = r"[\"“「『‘']\s*[^\"“”「」『』‘’'\n()（）]{1,40}?\s*[\"”」』’']"
_EN_DEF = re.compile(
    r"[(（]\s*(?:(?:hereinafter|hereafter)\s*,?\s*(?:(?:referred\s+to\s+as|called)\s+)?|collectively\s*,?\s*"
    r"|together\s*,?\s*|also\s+(?:known\s+as|called)\s+|each\s*,?\s*(?:a\s+|an\s+)?)?"
    r"((?:(?:the|a|an)\s+)?" + _NAME_QN + r"(?:\s*(?:,|or|and|或|、|，)\s*(?:(?:the|a|an)\s+)?" + _NAME_QN
    + r")*)\s*[)）]", re.I)
_EN_INLINE = re.compile(r",?\s*\b(?:hereinafter|hereafter)\s*,?\s*(?:referred\s+to\s+as|called)?\s*(?:the\s+)?"
                        + _NAME_Q, re.I)
_ACRONYM = re.compile(r"[(（]\s*([A-Z][A-Za-z0-9&]*[A-Z0-9&]s?)\s*[)）]")
_QUOTED_NAME = re.compile(_NAME_Q)
_ZH_BOUNDARY = re.compile(r"[，,。；;：:！？!?\n（）()“”\"「」『』、\s]")
_ORG_SUFFIX = re.compile(r"(公司|集团|银行|协会|学会|委员会|研究院|研究所|大学|学院|医院|中心|基金会|基金|事务所|"
                         r"联合会|商会|合伙企业|局|署|厅|办公室|政府)$")
# words that end the description before a name ("本公司控股子公司深圳某某有限公司")
_ZH_RELATIONS = ("子公司", "控股", "收购", "购买", "及其", "以及", "的", "与", "向", "对", "由", "是", "在", "将",
                 "拟", "及")
_ZH_PLACE = re.compile(r"(?:[\u4e00-\u9fff]{2,3}(?:省|市|自治区|特别行政区|区|县|州))+")
_ZH_LEAD = re.compile(r"^(?:\d{4}年(?:\d{1,2}月)?(?:\d{1,2}日)?|本|该|其)+")
_CORP_ABBR = frozenset("inc. corp. co. ltd. l.p. llc. n.v. s.a. plc. u.s. no. bros. l.l.c. s.p.a. ag.".split())
_EN_ORG_END = re.compile(r"\b(?:inc|incorporated|corp|corporation|co|company|ltd|limited|llc|l\.l\.c|l\.p|lp|llp|plc|"
                         r"group|holdings?|partners|partnership|bank|trust|fund|n\.v|s\.a|ag|gmbh|s\.p\.a)\.?$", re.I)
_CONNECTORS = frozenset("of and & de for the".split())
_PRONOUNS = frozenset("we us our it its they their this these you i".split())


def learn_definitions(text: str) -> dict[str, str]:
    """Abbreviations a report defines for itself, abbreviation -> full form:
    '规模以上工业（以下简称规上工业）', '某某股份有限公司（以下简称“公司”或“某某”）',
    'Foo Holdings, Inc. (the "Company")', 'restricted stock units (RSUs)', '..., hereinafter
    referred to as "X"'. Forms are as the text writes them, with line breaks between Chinese
    characters removed (PDF wrapping). The first definition of an abbreviation wins."""
    text = _SPACE_IN_CJK.sub("", unicodedata.normalize("NFC", text))
    found: list[tuple[int, int, list[str]]] = []
    for m in _ZH_DEF.finditer(text):
        body = m.group(1)
        names = _QUOTED_NAME.findall(body) or [n for n in re.split(r"[或、,，]", body)]
        found.append((m.start(), m.end(), names))
    for pattern in (_EN_DEF, _EN_INLINE):
        for m in pattern.finditer(text):
            found.append((m.start(), m.end(), _QUOTED_NAME.findall(m.group(0))))
    for m in _ACRONYM.finditer(text):
        found.append((m.start(), m.end(), [m.group(1)]))
    out: dict[str, str] = {}
    for start, _end, names in sorted(found, key=lambda f: f[0]):
        pre = text[max(0, start - 300):start]
        for name in names:
            abbr = name.strip().strip(",.;:，。；：").strip()
            if not abbr or abbr in out or abbr.casefold() in _PRONOUNS:
                continue
            full = _full_form(pre, abbr)
            if full and len(full) > len(abbr) and normalise(full) != normalise(abbr):
                out[abbr] = full
    return out


def _full_form(pre: str, abbr: str) -> str | None:
    tail = pre.rstrip()
    if _is_cjk(abbr) or (tail and _is_cjk(tail[-1])):
        return _zh_full(pre, abbr)
    return _en_full(pre, abbr)


def _subsequence_start(clause: str, abbr: str) -> int | None:
    """Latest start from which the abbreviation's characters occur in order (规上工业 in
    '全国规模以上工业' starts at 规)."""
    low, j = clause.casefold(), len(clause)
    for ch in reversed(abbr.casefold()):
        if ch.isspace():
            continue
        j = low.rfind(ch, 0, j)
        if j < 0:
            return None
    return j


def _zh_full(pre: str, abbr: str) -> str | None:
    pre = pre.rstrip(" \"“”'")
    tail = ""
    bracket = re.search(r"[(（][^()（）]{1,8}[)）]$", pre)  # a name's own brackets: 企业（有限合伙）
    if bracket:
        tail, pre = pre[bracket.start():], pre[:bracket.start()]
    clause = _ZH_BOUNDARY.split(pre[-60:])[-1]
    start = _subsequence_start(clause, abbr)
    trivial = start is None or len(clause) - start <= len(abbr)
    if _ORG_SUFFIX.search(clause) and (trivial or _ORG_SUFFIX.search(abbr)):
        # a descriptive abbreviation ("贸易公司", "公司") stands for the whole name, which runs back
        # to the word introducing it ("…控股子公司深圳某某医药贸易有限公司"); a trade name ("华润三九")
        # starts where the name does
        region = clause if start is None else clause[:start]
        cuts = [region.rfind(r) + len(r) for r in _ZH_RELATIONS if r in region]
        if cuts or trivial:
            start = _name_start(clause, max(cuts, default=0))
    elif trivial:
        return None
    if start and _ORG_SUFFIX.search(clause):
        # a trade-name abbreviation drops the place the name begins with ("合肥", "中国", "广东省深圳市")
        cut = max((clause.rfind(r, 0, start) + len(r) for r in _ZH_RELATIONS if clause.rfind(r, 0, start) >= 0),
                  default=0)
        cut = _name_start(clause, cut)
        if cut < start and (start - cut <= 4 or _ZH_PLACE.fullmatch(clause[cut:start])):
            start = cut
    full = clause[start:] + tail
    return full if len(abbr) < len(full) <= 40 else None


def _name_start(clause: str, start: int) -> int:
    lead = _ZH_LEAD.match(clause[start:])
    return start + (len(lead.group(0)) if lead else 0)


def _en_full(pre: str, abbr: str) -> str | None:
    window = re.split(r"[;:\n()\[\]（）]", pre[-250:])[-1]
    tokens = [(m.start(), m.group()) for m in re.finditer(r"\S+", window)]
    cut = 0
    for k, (_, tok) in enumerate(tokens[:-1]):
        if tok.endswith(".") and tok.casefold() not in _CORP_ABBR and not re.fullmatch(r"(?:[A-Za-z]\.)+", tok):
            cut = k + 1
    tokens = tokens[cut:][-15:]
    if not tokens:
        return None
    parts = [(k, re.sub(r"[^\w&']", "", p).casefold())
             for k, (_, tok) in enumerate(tokens) for p in tok.split("-") if p]
    first = _match_back(parts, abbr)
    if first is None and _EN_ORG_END.search(window.rstrip(" ,")):
        first = _proper_name_start(tokens)  # 'Golar LNG Limited (the "Company")
    if first is None:
        return None
    full = window[tokens[first][0]:].strip().rstrip(",").strip()
    return full if len(full) > len(abbr) and len(full.split()) <= 12 else None


def _match_back(parts: list[tuple[int, str]], abbr: str) -> int | None:
    """Index of the token where the abbreviation's words (or an acronym's letters, as initials)
    begin, matched from the end of the text before it."""
    units: list[tuple[str, str]] = []
    for w in reversed(abbr.split()):
        if sum(c.isupper() for c in w) >= 2:
            letters = w[:-1] if w.endswith("s") and w[:-1].isupper() else w
            units += [("letter", c) for c in reversed(letters.casefold()) if c.isalnum()]
        else:
            units.append(("word", stem(re.sub(r"[^\w&']", "", w))))
    p, first = len(parts), None
    for kind, value in units:
        q = p - 1
        while q >= 0:
            word = parts[q][1]
            if word and (stem(word) == value if kind == "word" else word[0] == value and word not in _EN_STOP):
                break
            q -= 1
        if q < 0:
            return None
        p, first = q, q
    if first is None or len(parts) - first > len(units) + 3:  # too much skipped: not this phrase
        return None
    return parts[first][0]


def _proper_name_start(tokens: list[tuple[int, str]]) -> int | None:
    """Start of the capitalised name that ends the text: 'Golar LNG Limited (the "Company")'."""
    k = len(tokens) - 1
    while k >= 0:
        tok = tokens[k][1].strip(",")
        if not (tok[:1].isupper() or tok.casefold() in _CONNECTORS or tok.casefold() in _CORP_ABBR):
            break
        k -= 1
    start = k + 1
    while start < len(tokens) and tokens[start][1].casefold() in _CONNECTORS:
        start += 1
    if start >= len(tokens) or tokens[start][1].casefold() in _PRONOUNS:
        return None
    return start
