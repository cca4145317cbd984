"""Hand-written Danish job-domain knowledge for the text matcher.

CONCEPTS maps a field of work (loosely following the job-area groupings of public Danish job
taxonomies: food, transport/warehouse, retail, ...) to the everyday Danish words that point to it.
Every word is stemmed with the Danish snowball stemmer when the module is imported, and a text
token whose stem (or one of whose compound parts) is listed gets the concept tag ("#mad") as an
extra token. That is how "madlavning" meets "Køkkenhjælp" and "biler, kørsel" meets
"Chaufførmedhjælper" although they share no word. A word may belong to several fields.

Rules for editing: general domain knowledge only (never names or ids of particular employers or
citizens), single lowercase words (compounds are fine; phrases are not), and avoid words whose
stem is also a very common unrelated word.

GENERIC_WORDS are job words without a field ("medhjælper", "assistent"); they are known parts for
splitting compounds ("chaufførmedhjælper" = "chauffør" + "medhjælper") but tag nothing.

FUNCTION_WORDS and FILLER_WORDS are dropped before anything else: Danish function words, the
words every goal or experience text contains ("job", "løn", "fleksjob", "erfaring") and the
boilerplate of job ads ("team", "hverdag", "mødestabil") - none of them says anything about the
field of work. A filler's stem must not be the stem of a field word ("lære" would also drop
"lærer"; "vægt" would drop "vægte").
"""
from __future__ import annotations

CONCEPTS: dict[str, str] = {
    "mad": """
        mad madlavning madlaver kok kokke kokkeelev køkken køkkener køkkenhjælp køkkenhjælper
        køkkenmedhjælper køkkenassistent storkøkken kantine kantiner restaurant restauranter
        restauration café caféer cafe cafeer cafeteria pizzeria pizza pizzaer pizzadej burger
        grill grillbar sushi bistro frokost morgenmad aftensmad måltid måltider buffet catering
        opvask opvasker opvaskning anrette anretning servere servering tjener smørrebrød
        grøntsager salat salater kage kager bage bagning bager bagere bageri bagerier brød
        konditor konditori slagter slagteri fisk fiskehandler levnedsmidler fødevarer
        gastronomi gastronom ernæring bespisning kaffe barista bageriet madpakker suppe
    """,
    "bageri": """
        bage bagning bager bagere bageri bagerier brød kage kager konditor konditori bolle boller
        wienerbrød dej
    """,
    "transport": """
        kørsel køre kører chauffør chauffører chaufførarbejde fører kørekort bil biler bilen
        lastbil lastbiler varebil varebiler vognmand vognmænd bud budbil budkørsel levering
        leveringer levere udbringning udbringer distribution transport transporter logistik
        flytning flyttefirma flyttemand taxa taxi bus buschauffør budkører budfirma varebil
        trafik rute ruter ture
    """,
    "lager": """
        lager lagre lagerarbejde lagerarbejder lagermedarbejder lagerist pluk plukke plukker
        ordreplukker ordre ordrer pakke pakker pakning pakkeri palle paller palleløfter
        varemodtagelse forsendelse forsendelser scanne scanning losse
        logistik logistikcenter distributionscenter terminal gods
        truck trucker truckfører truckførere gaffeltruck truckcertifikat pakkeri pakkeriet
        lagerhal lagerhaller
    """,
    "detail": """
        detail detailhandel handel butik butikker butiksassistent butiksmedarbejder
        butikselev ekspedient ekspedienter ekspedere ekspedition kasse kasser kassedame
        kassemedarbejder salg sælge sælger salgsassistent varer vare varepåfylder
        varepåfyldning opfyldning hylder hylde supermarked supermarkeder dagligvarer
        dagligvarebutik kiosk kiosker døgnbutik tankstation genbrug genbrugsbutik
        prismærkning prismærke montre kunder kundeservice forretning forretninger shop
        shopping indkøb
    """,
    "bøger_spil": """
        bog bøger boghandel boghandler boghandlen bibliotek biblioteker biblioteksmedhjælper
        tegneserie tegneserier tegneseriebutik manga anime spil brætspil computerspil
        rollespil gaming spilbutik figurer samlekort samlerkort litteratur
        forfatter roman romaner blade magasiner tegnefilm fantasy
        læse læsning læser læsesal lydbog lydbøger antikvariat antikvariater bogorm
        biblioteksassistent udlån
    """,
    "kreativ": """
        kreativ kreative kreativitet tegne tegning tegninger tegner tegneserie tegneserier manga
        kunst kunstner kunstværker design designe grafisk grafik illustration illustrator
        maling male maler håndarbejde strik strikke sy syning symaskine keramik
        foto fotografi fotograf pynte pyntning dekoration dekorere indretning blomsterbinding
        smykker
    """,
    "dyr": """
        dyr dyrene dyrepasser dyrepasning dyreinternat internat dyrehandel dyreklinik dyrlæge
        hund hunde hundene hundepasning hundelufter kat katte kattene hest heste hestene stald
        stalde ridning rideskole ridecenter landbrug landmand bondegård gård køer grise
        høns zoo akvarium fodre fodring kæledyr hundepension kennel kenneler dyreklinik
        dyrlægeklinik dyrlægehjælper rideklub ridehal muge strigle dyrepleje fugle kaniner
    """,
    "grønt": """
        gartner gartnere gartneri gartnerier anlægsgartner haven haver havearbejde
        havemand plante planter planteskole plantning blomst blomster blomsterbutik
        luge lugning græs græsslåning plæne beskæring hæk hække træer skov skovarbejde
        park parker parkarbejde kirkegård kirkegårde natur udendørs grønne
        grønt grøntsagshave drivhus kolonihave udenfor udearbejde udeliv friluft friluftsliv
        gravsted gravsteder kirkegårdsgartner skovbrug potteplanter krukker trillebør
    """,
    "rengøring": """
        rengøring rengøre rengøringsassistent rengøringsmedarbejder rengøringshjælp
        ren rene rent støvsuge støvsugning støvsuger vask vaske vaskeri gulvvask
        housekeeping værelser rede senge sengeredning skraldespande affald affaldssortering
        vinduespudsning vinduespudser pudse moppe renholdelse oprydning rydde
        desinficere hygiejne
    """,
    "byggeri": """
        byggeri byggebranchen byggeplads byggepladser bygge byggearbejde byggeriet
        håndværk håndværker håndværkere tømrer tømrere snedker snedkere murer murere
        maler malere male maling malerhjælper elektriker vvs smed smede blikkenslager
        værktøj reparation reparationer reparere småreparationer pedel pedeller vicevært
        ejendom ejendomme ejendomsservice montering montere nedrivning isolering
        materialer byggematerialer slibe afdække stillads renovering anlæg beton træ
        svejse svejsning
    """,
    "bil": """
        bil biler bilen bilerne bilmekaniker bilværksted autoværksted auto bilvask
        bilpleje motor motorer dæk dækskifte reservedele autolakerer motorcykel
        motorcykler knallert scooter køretøjer køretøj bilforhandler
    """,
    "mekanik": """
        mekanik mekaniker mekanikere mekanikerhjælper værksted værksteder reparation reparere
        skrue montere montering motor motorer maskine maskiner teknik teknisk
        smøre cykelmekaniker bilmekaniker
    """,
    "cykel": """
        cykel cykler cyklen cyklerne cykling cykelsmed cykelmekaniker cykelværksted
        cykelhandler cykelbutik ladcykel elcykel lappe slange slanger mountainbike mtb
        racercykel cykelhandel cykelreparation
    """,
    "hotel": """
        hotel hoteller hostel hostels vandrehjem housekeeping reception receptionist
        værelse værelser senge turisme turister turist gæster gæst konference
        overnatning kro
    """,
    "pleje": """
        pleje plejehjem ældrepleje ældre ældrecenter lokalcenter omsorg hjemmepleje
        hjemmehjælp hjemmehjælper sosu plejemedhjælper plejer beboere beboer handicap
        handicappede bosted botilbud sundhed hospital hospitaler sygehus portør
        omsorgsmedhjælper
    """,
    "børn": """
        børn børnene barn børnehave børnehaver vuggestue vuggestuer fritidshjem sfo skole
        skoler pædagog pædagoger pædagogmedhjælper legeplads lege leg legetøj unge
        fritidsklub klub institution institutioner dagpleje
    """,
    "it": """
        it computer computere pc data teknologi elektronik programmering programmere kode
        kodning software hardware support helpdesk skærm skærme mobil mobiler telefoner
        netværk gaming computerspil digital digitale gamer bærbar bærbare tablet datatekniker
    """,
    "kontor": """
        kontor kontorer kontorarbejde kontorassistent administration administrativ
        reception receptionist telefon telefonen post postsortering scanning arkiv
        arkivering kopiering registrering indtastning regnskab bogholderi sekretær
        mødelokaler booke booking journalisering dokumenter papirarbejde papir papirer
        kontorarbejde sagsbehandling mails breve kuverter
    """,
    "musik": """
        musik musiker musikere instrument instrumenter guitar klaver trommer sang synge
        koncert koncerter spillested lyd lydtekniker scene festival festivaler
        musikforretning musikbutik noder bas keyboard band scenen sanger
    """,
    "sport": """
        sport sportsklub fodbold håndbold basketball fitness fitnesscenter træning træne
        svømning svømmehal svømmehallen idræt idrætshal idrætsforening motion løb
        gymnastik boksning stadion halinspektør omklædningsrum boldklub fodboldklub
        træningscenter motionscenter styrketræning bold bolde idrætsforening idrætsanlæg
    """,
    "tøj": """
        tøj tøjet tøjbutik mode tekstil tekstiler sy syning skrædder vaskeri strygning
        genbrugstøj sko vintage syerske beklædning kjoler bukser
    """,
    "laboratorie": """
        laboratorie laboratorium laboratorier laboratorieudstyr lab medicin medicinal
        kemi prøver analyse apotek
    """,
    "skønhed": """
        frisør frisører frisørsalon frisørsalonen frisure frisurer hår håret hårpleje
        barber barbersalon negle neglesalon kosmetolog kosmetik makeup sminke skønhed
        skønhedssalon
    """,
    "produktion": """
        produktion produktionen fabrik fabrikker fabrikken fabriksarbejde industri industrien
        montage montør montører samlebånd maskine maskiner maskinoperatør emner
        produktionslinje kvalitetskontrol plast metal metalindustri
    """,
    "affald": """
        affald affaldet affaldssortering affaldshåndtering genbrugsplads genbrugspladsen
        genbrugsstation skrot skrothandel renovation skraldemand storskrald containere
        container miljøstation pant
    """,
    "kultur": """
        museum museer kultur kulturhus teater teatre biograf bibliotek udstilling
        udstillinger koncertsal
    """,
}

GENERIC_WORDS = """
    arbejde arbejder arbejdet medarbejder medarbejdere medhjælper medhjælpere hjælper hjælpere
    hjælp assistent assistenter elev elever lærling frivillig frivillige mester svend
    branche brancher handel service ansvarlig operatør tekniker passer mand folk
    firma virksomhed centret center afdeling område områder opgaver opgave
"""

FUNCTION_WORDS = """
    ad af alle alt anden andet andre at bare blev blive bliver da de dem den denne der deres det
    dette dig din dine disse dog du efter eller en end er et for fra gennem godt han hans har
    havde have hende hendes her hos hun hvad hvis hvor i ikke ind jeg jer jo kan kunne man mange
    med meget men mig min mine mit mod ned noget nogle nu når og også om op os over på sig sin
    sine sit skal skulle som sådan thi til ud under var vi vil ville vor være været
"""

# Words that say nothing about the field of work. Unlike function words they are also dropped
# when they turn up as a part of a compound ("chaufførarbejde" -> "chauffør").
FILLER_WORDS = """
    job jobs jobbet jobbe arbejde arbejdet løn lønnet lønnede lønning timer time fleksjob
    praktik praktikplads uddannelse uddannelsen ordinært ordinær ordinære afklaring komme
    igen gerne evt eventuelt ønsker ønske gang lidt mere mest god gode ting tingene inden
    indenfor år års erfaring interesse interesser interesseret mål prøve starte start
    klasse stu fx osv samt både via deltid fuldtid småjob småjobs arbejdsplads
    arbejdspladsen kollega kollegaer kolleger ny nye nyt få flere lave laver gøre gør
    sammen hjælpe hjalp
    søger søges team teamet hverdag hverdagen hverdage glad glade mødestabil mødestabile stabil
    stabile fleksibel fleksible fleksibelt arbejdstid arbejdstider rolig roligt rolige travl
    travlt spændende varierende varieret lyst opstart aftale kontaktperson fast faste rar rart
    dygtig dygtige ansvarsfuld selvstændig stilling stillingen ansøgning mulighed muligheder
    uge ugen ugentlig dag dage
"""

# Words whose plural changes the vowel, "singular:plural": the matcher stems them from the plural
# so that "bog" meets "bøger" and "barn" meets "børn" (Danish grammar, not job knowledge).
IRREGULAR_FORMS = """
    bog:bøger bogen:bøger barn:børn barnet:børn hånd:hænder hånden:hænder mand:mænd manden:mænd
    fod:fødder foden:fødder tand:tænder bonde:bønder gås:gæs ko:køer koen:køer
"""
